import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, countOf, datasets, sandbox } from '../testing/index.js';
import { memberBaseStats } from '../members/index.js';

const retail = datasets('online-retail/online_retail.csv.gz');
const sample = datasets('cdnow/CDNOW_sample.txt');
const master = datasets('cdnow/CDNOW_master.txt');

test('Online Retail: every row accounted for, one member per CustomerID, re-import changes nothing', { skip: 'skip' in retail ? retail.skip : false }, async () => {
  if (!('path' in retail)) return;
  const s = await sandbox();
  try {
    const r = await s.import(retail.path, { preset: 'online-retail' });
    assert.equal(r.rows_read, 541_909);
    assert.equal(accounted(r), r.rows_read);
    assert.equal(r.rejected, 0);
    // Independent counts straight from the file.
    const truth = await s.db.one(
      `SELECT count(*) AS rows,
              count(DISTINCT CustomerID) AS customers,
              count(*) FILTER (WHERE starts_with(InvoiceNo, 'C')) AS cancellations,
              count(*) FILTER (WHERE NOT starts_with(InvoiceNo, 'C') AND CustomerID IS NULL
                               AND StockCode NOT IN ('POST','DOT','C2','M','m','D','S','B','BANK CHARGES','AMAZONFEE','CRUK') AND Quantity::INTEGER >= 0) AS guest_product_lines
       FROM read_csv($1, all_varchar = true, header = true)`,
      [retail.path],
    );
    assert.equal(r.return, Number(truth?.['cancellations']));
    assert.equal(r.guest, Number(truth?.['guest_product_lines']));
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), Number(truth?.['customers']));
    assert.equal(Number(truth?.['customers']), 4372);
    assert.equal((await countOf(s.db, 'SELECT * FROM order_lines')) + r.return, 541_909, 'every line is an order line or a return');
    const before = await memberBaseStats(s.db);
    const again = await s.import(retail.path, { preset: 'online-retail' });
    assert.equal(again.duplicate, 541_909);
    assert.deepEqual([again.loaded, again.guest, again.return, again.non_product, again.merges], [0, 0, 0, 0, 0]);
    const after = await memberBaseStats(s.db);
    assert.deepEqual(after.channels, before.channels);
    assert.equal(after.totals['members'], before.totals['members']);
    // Customer 12347's seven invoices total 4310.00 (a figure widely quoted for this dataset).
    const c = await s.db.one(
      `SELECT sum(v.product_value)::VARCHAR AS gross FROM order_values v JOIN identities i ON i.identity_id = v.buyer_id
       WHERE i.value = '12347' AND v.is_purchase`,
    );
    assert.equal(c?.['gross'], '4310.0000');
  } finally {
    s.close();
  }
});

test('CDNOW sample and master load; the master adds only what the sample lacks', { skip: 'skip' in sample ? sample.skip : 'skip' in master ? master.skip : false }, async () => {
  if (!('path' in sample) || !('path' in master)) return;
  const s = await sandbox();
  try {
    const a = await s.import(sample.path, { preset: 'cdnow' });
    assert.deepEqual([a.rows_read, a.loaded, a.rejected], [6919, 6919, 0]);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2357);
    const b = await s.import(master.path, { preset: 'cdnow' });
    assert.equal(b.rows_read, 69_659);
    assert.equal(accounted(b), b.rows_read);
    assert.equal(b.rejected, 0);
    assert.equal(b.duplicate, 6919, "the sample's purchases are the master's, keyed the same");
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 23_570);
    const total = await s.db.one('SELECT sum(amount)::VARCHAR AS v FROM order_lines');
    const file = await s.db.one(
      `SELECT sum(dollars::DECIMAL(18,4))::VARCHAR AS v FROM (SELECT string_split_regex(trim(column0), '\\s+')[4] AS dollars
       FROM read_csv($1, header = false, columns = {'column0': 'VARCHAR'}, delim = '\u001f', quote = '', escape = '') WHERE NOT contains(column0, 'customer'))`,
      [master.path],
    );
    assert.equal(total?.['v'], file?.['v'], 'revenue equals the file total to the cent');
  } finally {
    s.close();
  }
});
