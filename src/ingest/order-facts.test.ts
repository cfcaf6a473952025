import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { refreshOrderFacts, syncOrderFactMembers } from './index.js';

const ORDERS = 'channel,order_id,buyer_id,created_at,paid_at,status';
const LINES = 'channel,order_id,line_no,sku,line_type,quantity,unit_price,amount';

/** order_values as the reports see it, one row per order. */
async function values(db: Awaited<ReturnType<typeof sandbox>>['db']): Promise<Array<Record<string, unknown>>> {
  return db.all(
    `SELECT order_id, product_value::VARCHAR AS product_value, other_value::VARCHAR AS other_value, lines, items, is_purchase, has_discount
     FROM order_values ORDER BY order_id`,
  );
}

test('order totals follow every import: lines in later imports, lines before their order, re-imports, and a rebuild', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', [ORDERS, 'web,A,b1,2026-01-05 10:00:00,2026-01-05 10:01:00,paid', 'web,B,b2,2026-01-06 10:00:00,,created'].join('\n')));
    // No lines yet: valued at zero, so not a purchase.
    assert.deepEqual(
      (await values(s.db)).map((r) => [r['order_id'], r['product_value'], r['is_purchase']]),
      [
        ['A', '0.0000', false],
        ['B', '0.0000', false],
      ],
    );
    await s.import(s.write('order_lines.csv', [LINES, 'web,A,1,P1,product,2,10.00,20.00', 'web,C,1,P2,product,1,5.00,5.00'].join('\n')));
    // A second import adds a line to A (and a postage line); C's lines came before C itself.
    const more = s.write('order_lines-2.csv', [LINES, 'web,A,2,P3,product,1,7.50,7.50', 'web,A,3,,postage,1,4.00,4.00'].join('\n'));
    await s.import(more, { entity: 'order_lines' });
    const again = await s.import(more, { entity: 'order_lines' });
    assert.equal(again.duplicate, 2, 'the same lines imported twice are duplicates');
    await s.import(s.write('orders-2.csv', [ORDERS, 'web,C,b3,2026-01-07 10:00:00,2026-01-07 10:00:00,paid'].join('\n')), { entity: 'orders' });
    const expected = [
      { order_id: 'A', product_value: '27.5000', other_value: '4.0000', lines: 3n, items: '3.0000', is_purchase: true, has_discount: false },
      { order_id: 'B', product_value: '0.0000', other_value: '0.0000', lines: 0n, items: '0.0000', is_purchase: false, has_discount: false },
      { order_id: 'C', product_value: '5.0000', other_value: '0.0000', lines: 1n, items: '1.0000', is_purchase: true, has_discount: false },
    ];
    const norm = (rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> => rows.map((r) => ({ ...r, lines: BigInt(String(r['lines'])) }));
    assert.deepEqual(norm(await values(s.db)), expected);
    // One row per order however many imports touched it.
    const counts = await s.db.all('SELECT order_id, count(*) AS n FROM order_facts GROUP BY order_id HAVING count(*) > 1');
    assert.deepEqual(counts, []);
    // A full rebuild gives the same facts.
    await s.db.transaction(() => refreshOrderFacts(s.db));
    assert.deepEqual(norm(await values(s.db)), expected);
  } finally {
    s.close();
  }
});

test("the stored buyer's member follows identity resolution once synced", async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', [ORDERS, 'web,A,b1,2026-01-05 10:00:00,2026-01-05 10:01:00,paid', 'shop,B,s1,2026-01-06 10:00:00,2026-01-06 10:00:00,paid'].join('\n')));
    const stored = async (): Promise<unknown[][]> => (await s.db.all('SELECT order_id, member_id FROM order_facts ORDER BY order_id')).map((r) => [r['order_id'], r['member_id']]);
    const joined = async (): Promise<unknown[][]> => (await s.db.all('SELECT order_id, member_id FROM order_values ORDER BY order_id')).map((r) => [r['order_id'], r['member_id']]);
    // Written with the members the buyers resolved to in the same import: two members.
    assert.deepEqual(await stored(), await joined());
    assert.equal(new Set((await stored()).map((r) => r[1])).size, 2);
    // The same phone on both accounts merges them; B's stored member is now stale until synced.
    await s.import(s.write('members.csv', ['channel,external_id,phone', 'web,b1,13800000001', 'shop,s1,13800000001'].join('\n')));
    assert.equal(new Set((await joined()).map((r) => r[1])).size, 1);
    assert.notDeepEqual(await stored(), await joined());
    // Updated in place (few moved orders), or the table rewritten (more than the limit): the same rows.
    const before = await s.db.all('SELECT * EXCLUDE (member_id) FROM order_facts ORDER BY order_id');
    assert.equal(await syncOrderFactMembers(s.db), 1);
    assert.deepEqual(await stored(), await joined());
    assert.equal(await syncOrderFactMembers(s.db), 0, 'nothing left to move');
    // Only identities moved since the last sync are read: a new buyer's order moves nothing.
    const mark = async (): Promise<string> => String((await s.db.one('SELECT max(synced_seq) AS v FROM order_fact_sync'))?.['v']);
    const synced = await mark();
    await s.import(s.write('orders-2.csv', [ORDERS, 'web,C,b9,2026-01-07 10:00:00,2026-01-07 10:00:00,paid'].join('\n')), { entity: 'orders' });
    assert.equal(await syncOrderFactMembers(s.db), 0);
    assert.ok(Number(await mark()) > Number(synced), 'the new buyer was resolved, and the sync moved its mark past that');
    assert.deepEqual(await stored(), await joined());
    // A full check (the first sync after migration 020 starts from -1) with every stored member wrong.
    const all = await s.db.all('SELECT * EXCLUDE (member_id) FROM order_facts ORDER BY order_id');
    await s.db.run("UPDATE order_facts SET member_id = 'stale'");
    await s.db.run('UPDATE order_fact_sync SET synced_seq = -1');
    assert.equal(await syncOrderFactMembers(s.db, 1), 3);
    assert.deepEqual(await stored(), await joined());
    assert.deepEqual(await s.db.all('SELECT * EXCLUDE (member_id) FROM order_facts ORDER BY order_id'), all);
    assert.equal(all.length, before.length + 1);
  } finally {
    s.close();
  }
});
