import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accounted, countOf, readCsv, ROOT, sandbox } from '../testing/index.js';
import { parseMapFile } from './map-file.js';
import { cli } from '../testing/processes.js';

// An order export of a kind many shop systems write: one row per order, test orders flagged,
// the refund on the order's own row.
const EXPORT = [
  'order_no,customer,created,paid,status,total,test,refunded_amount,refunded_at',
  'O1,c1,2024-03-01 10:00:00,2024-03-01 10:01:00,paid,100.00,,30.00,2024-03-05 09:00:00',
  'O2,c2,2024-03-01 11:00:00,2024-03-01 11:01:00,completed,50.00,,,',
  'O3,c1,2024-03-02 10:00:00,2024-03-02 10:01:00,paid,80.00,,0.00,',
  'O4,c3,2024-03-02 12:00:00,2024-03-02 12:01:00,paid,20.00,,20.00,not a date',
  'O5,c4,2024-03-03 10:00:00,,created,10.00,,,',
  'T1,qa,2024-03-03 11:00:00,2024-03-03 11:01:00,paid,1.00,yes,,',
  'O6,c5,2024-03-04 10:00:00,2024-03-04 10:01:00,paid,"12,50",,,',
].join('\n');

const ORDER_COLUMNS = { order_id: 'order_no', buyer_id: 'customer', created_at: 'created', paid_at: 'paid', status: 'status', item_total: 'total' };
const PAID_REAL_ORDERS = {
  all: [
    { column: 'status', in: ['paid', 'completed'] },
    { column: 'test', empty: true },
  ],
};
const REFUND_AS_RETURN = {
  entity: 'returns',
  columns: { return_id: 'order_no', order_id: 'order_no', buyer_id: 'customer', amount: 'refunded_amount', returned_at: 'refunded_at' },
  constants: { quantity: '0', reason: 'refund', line_no: '1' },
  filter: {
    all: [
      { column: 'refunded_amount', not_empty: true },
      { column: 'refunded_amount', not_in: ['0', '0.00'] },
    ],
  },
};

/** The export and a map of its paid, real orders with their refunds as returns, written in the sandbox. */
function orderAndRefundMap(s: Awaited<ReturnType<typeof sandbox>>): { map: string; f: string } {
  const map = s.write('map.json', JSON.stringify({ entity: 'orders', columns: ORDER_COLUMNS, constants: { channel: 'shop' }, filter: PAID_REAL_ORDERS, also: REFUND_AS_RETURN }));
  return { map, f: s.write('export.csv', EXPORT) };
}

test("a map's row filter keeps the rows it names; the others are skipped and counted, in --check too", async () => {
  const s = await sandbox();
  try {
    const map = s.write('map.json', JSON.stringify({ entity: 'orders', columns: ORDER_COLUMNS, constants: { channel: 'shop' }, filter: PAID_REAL_ORDERS }));
    const f = s.write('export.csv', EXPORT);
    const checked = await s.import(f, { mapFile: map, check: true });
    assert.deepEqual([checked.rows_read, checked.loaded, checked.rejected, checked.skipped], [7, 4, 1, 2]);
    assert.equal(accounted(checked), checked.rows_read, 'read = loaded + rejected + skipped + ...');
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 0, '--check writes nothing');

    const r = await s.import(f, { mapFile: map });
    assert.deepEqual([r.rows_read, r.loaded, r.rejected, r.skipped], [7, 4, 1, 2], 'O5 (created) and T1 (a test order) are skipped; O6 is rejected (decimal comma)');
    assert.equal(accounted(r), r.rows_read);
    const ids = (await s.db.all('SELECT order_id FROM orders ORDER BY order_id')).map((x) => x['order_id']);
    assert.deepEqual(ids, ['O1', 'O2', 'O3', 'O4']);
    assert.deepEqual(
      readCsv(r.rejects_file ?? '').map((x) => x['line']),
      ['8'],
      'skipped rows are not rejects: only the decimal-comma row (physical line 8) is in the reject file',
    );
    assert.equal(await countOf(s.db, "SELECT * FROM identities WHERE value IN ('qa', 'c4')"), 0, 'skipped rows make no identifiers');
    const again = await s.import(f, { mapFile: map });
    assert.deepEqual([again.loaded, again.duplicate, again.skipped, again.rejected], [0, 4, 2, 1]);
    assert.equal(accounted(again), again.rows_read);
  } finally {
    s.close();
  }
});

test('one row makes an order and its refund as a return, in one import; re-import creates nothing twice', async () => {
  const s = await sandbox();
  try {
    const { map, f } = orderAndRefundMap(s);
    const r = await s.import(f, { mapFile: map });
    assert.deepEqual([r.entity, r.loaded, r.rejected, r.skipped], ['orders', 4, 1, 2]);
    assert.equal(accounted(r), r.rows_read);
    const also = r.also;
    assert.ok(also !== null, 'the report accounts for the second entity');
    assert.deepEqual(
      { entity: also.entity, rows_read: also.rows_read, return: also.return, rejected: also.rejected, skipped: also.skipped, duplicate: also.duplicate },
      { entity: 'returns', rows_read: 7, return: 1, rejected: 1, skipped: 5, duplicate: 0 },
      "O1 is a return; O4 (refund date not a date) is rejected as a return while its order loads; O2, O3, O6 (no refund) and the map's filtered rows are skipped",
    );
    assert.equal(accounted(also), also.rows_read);
    const returns = await s.db.all("SELECT return_id, order_id, buyer_id IS NOT NULL AS has_buyer, amount::VARCHAR AS amount, strftime(returned_at, '%Y-%m-%d %H:%M') AS at, reason FROM returns");
    assert.deepEqual(returns, [{ return_id: 'O1', order_id: 'O1', has_buyer: true, amount: '30.0000', at: '2024-03-05 09:00', reason: 'refund' }]);
    const imports = await s.db.all('SELECT import_id FROM imports');
    assert.equal(imports.length, 1, 'one import, one transaction');
    assert.equal(await countOf(s.db, `SELECT * FROM returns WHERE import_id = ${Number(imports[0]?.['import_id'])}`), 1);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.deepEqual(
      rejects.map((x) => [x['line'], x['field']]),
      [
        ['5', 'returns.returned_at'],
        ['8', 'item_total'],
      ],
      "the second entity's rejects are named by entity",
    );

    const again = await s.import(f, { mapFile: map });
    assert.deepEqual([again.loaded, again.duplicate, again.also?.return, again.also?.duplicate, again.also?.skipped], [0, 4, 0, 1, 5]);
    assert.equal(accounted(again.also ?? again), again.rows_read);
    assert.equal(await countOf(s.db, 'SELECT * FROM returns'), 1, 're-import creates no second return');
  } finally {
    s.close();
  }
});

test("--store scopes the second entity's keys like the first: the return points at its order", async () => {
  const s = await sandbox();
  try {
    const { map, f } = orderAndRefundMap(s);
    await s.import(f, { mapFile: map, store: 'north' });
    const rows = await s.db.all('SELECT r.return_id, r.order_id, o.order_id IS NOT NULL AS found FROM returns r LEFT JOIN orders o ON o.channel_id = r.channel_id AND o.order_id = r.order_id');
    assert.deepEqual(rows, [{ return_id: 'north/O1', order_id: 'north/O1', found: true }]);
  } finally {
    s.close();
  }
});

test('the command line reports skipped rows and the second entity, in words and in --json', async () => {
  const s = await sandbox();
  try {
    const { map, f } = orderAndRefundMap(s);
    const db = join(s.dir, 'cli.duckdb');
    const rejects = join(s.dir, 'rj');
    const words = await cli(['import', f, '--map', map, '--check', '--db', db, '--rejects', rejects]);
    assert.equal(words.code, 0, words.stderr);
    // The human report is written to stderr (stdout is kept for --json).
    assert.match(words.stderr, /CHECK \(nothing written\).*7 rows read, 4 loaded, 2 skipped by the map's filter, 1 rejected/);
    assert.match(words.stderr, /also returns from the same rows: 7 rows read, 0 loaded, 1 returns, 5 skipped by the map's filter, 1 rejected/);
    const json = await cli(['import', f, '--map', map, '--json', '--db', db, '--rejects', rejects]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { files: Array<{ skipped: number; also: { entity: string; return: number; skipped: number } }> };
    assert.deepEqual(
      doc.files.map((x) => [x.skipped, x.also.entity, x.also.return, x.also.skipped]),
      [[2, 'returns', 1, 5]],
    );
  } finally {
    s.close();
  }
});

test('every map shown in docs/import.md is a valid map', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'import.md'), 'utf8');
  const maps = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((t) => t.includes('"entity"'));
  assert.ok(maps.length >= 10, `found ${maps.length} maps`);
  for (const text of maps) {
    const parsed = parseMapFile(text);
    assert.ok(!('problems' in parsed), `${text}\n${'problems' in parsed ? parsed.problems.join('; ') : ''}`);
  }
  assert.ok(maps.some((t) => t.includes('"filter"')) && maps.some((t) => t.includes('"also"')), 'the row filter and the second entity each have an example');
});
