import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, sandbox } from '../testing/index.js';
import { FileRefused } from '../ingest/index.js';
import { analyze } from '../analytics/index.js';
import { clock } from '../testing/index.js';

test('baskets preset: one guest order per line, one line per item, dated --date, trimmed names, re-import adds nothing', async () => {
  const s = await sandbox();
  try {
    const f = s.write('b.csv', 'milk,bread\n\ncream cheese ,milk,\nbread\n');
    const r = await s.import(f, { preset: 'baskets', date: '2024-05-06' });
    assert.equal(r.rows_read, 5, 'five items (the empty line and the trailing comma hold none)');
    assert.equal(r.guest, 5);
    assert.equal(accounted(r), r.rows_read);
    const orders = await s.db.all("SELECT order_id, strftime(created_at, '%Y-%m-%d') AS d, status, buyer_id FROM orders ORDER BY order_id");
    assert.deepEqual(orders, [
      { order_id: 'b.csv:1', d: '2024-05-06', status: 'paid', buyer_id: null },
      { order_id: 'b.csv:3', d: '2024-05-06', status: 'paid', buyer_id: null },
      { order_id: 'b.csv:4', d: '2024-05-06', status: 'paid', buyer_id: null },
    ]);
    const lines = await s.db.all('SELECT order_id, line_no, name, quantity, unit_price::VARCHAR AS p FROM order_lines ORDER BY order_id, line_no');
    assert.deepEqual(
      lines.map((l) => `${String(l['order_id'])}/${String(l['line_no'])}/${String(l['name'])}/${String(l['quantity'])}/${String(l['p'])}`),
      ['b.csv:1/1/milk/1.0000/0.0000', 'b.csv:1/2/bread/1.0000/0.0000', 'b.csv:3/1/cream cheese/1.0000/0.0000', 'b.csv:3/2/milk/1.0000/0.0000', 'b.csv:4/1/bread/1.0000/0.0000'],
    );
    const again = await s.import(f, { preset: 'baskets', date: '2024-05-06' });
    assert.equal(again.duplicate, 5);
    // Baskets without prices are baskets, not purchases: the rules read them all.
    const doc = await analyze(s.db, clock, 'rules', { asOf: '2024-05-06', rules: { min_support: '0.5', min_confidence: '0.5', min_length: 1 } });
    assert.equal(doc.result['baskets'], 3);
    assert.deepEqual(doc.result['counts_by_length'], { '1': 2 }, '{} => {milk} and {} => {bread}, each in 2 of 3 baskets');
  } finally {
    s.close();
  }
});

test('baskets preset: a --date that is not a day refuses the file and writes nothing', async () => {
  const s = await sandbox();
  try {
    const f = s.write('b.csv', 'milk,bread\n');
    await assert.rejects(
      s.import(f, { preset: 'baskets', date: '6 May' }),
      (e: unknown) => e instanceof FileRefused && /--date must be a day YYYY-MM-DD, got '6 May'/.test(e.message) && e.message.includes('b.csv'),
    );
    assert.equal(Number((await s.db.one('SELECT count(*) AS n FROM orders'))?.['n']), 0);
    await assert.rejects(analyze(s.db, clock, 'rules', { asOf: '2024-05-06', rules: { min_support: '1.5' } }), /--min-support must be between 0 and 1, got '1.5'/);
  } finally {
    s.close();
  }
});
