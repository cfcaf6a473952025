import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, clock, countOf, readCsv, sandbox as freshSandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { compareOrderRecord, type OrderRecord } from './index.js';

/** Shopify orders export columns (a subset of the published list, in its order). */
const SHOPIFY =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Country,Cancelled at,Refunded Amount';

const shopifyRow = (o: { name: string; email: string; status: string; paid?: string; cancelled?: string; refunded?: string; price?: string; created?: string }): string =>
  [
    o.name,
    o.email,
    o.status,
    o.paid ?? '',
    '',
    '',
    'USD',
    o.price ?? '100.00',
    '0.00',
    '0.00',
    o.price ?? '100.00',
    '',
    '0.00',
    o.created ?? '2024-03-01 10:00:00 +0000',
    '1',
    'Mug',
    o.price ?? '100.00',
    'MUG',
    'Ann',
    'US',
    o.cancelled ?? '',
    o.refunded ?? '0.00',
  ].join(',');

/** A database for a shop that sells in US dollars, as the fixtures do. */
async function sandbox(): Promise<Awaited<ReturnType<typeof freshSandbox>>> {
  const s = await freshSandbox();
  await setSetting(s.db, clock, 'shop.currency', 'USD');
  return s;
}

async function purchase(s: Awaited<ReturnType<typeof sandbox>>, order: string): Promise<unknown> {
  const r = await s.db.one('SELECT is_purchase FROM order_values WHERE order_id = $1', [order]);
  return r?.['is_purchase'];
}

test('refunds in exports become returns: Shopify Refunded Amount and Taobao 退款金额; re-import adds none', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders_export.csv',
      [
        SHOPIFY,
        shopifyRow({ name: '#1001', email: 'a@example.com', status: 'refunded', paid: '2024-03-01 10:01:00 +0000', refunded: '100.00' }),
        shopifyRow({ name: '#1002', email: 'b@example.com', status: 'partially_refunded', paid: '2024-03-01 10:01:00 +0000', refunded: '20.00' }),
        shopifyRow({ name: '#1003', email: 'c@example.com', status: 'paid', paid: '2024-03-01 10:01:00 +0000' }),
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'shopify' });
    assert.equal(accounted(r), r.rows_read);
    assert.equal(r.refunds, 2);
    const returns = await s.db.all("SELECT order_id, amount::VARCHAR AS amount, strftime(returned_at, '%Y-%m-%d') AS day FROM returns ORDER BY order_id");
    // No refund date in the export: dated at the import (the test clock: 2026-01-01).
    assert.deepEqual(returns, [
      { order_id: '#1001', amount: '100.0000', day: '2026-01-01' },
      { order_id: '#1002', amount: '20.0000', day: '2026-01-01' },
    ]);
    const net = await s.db.one(`SELECT (SELECT sum(product_value) FROM order_values WHERE is_purchase) - (SELECT sum(amount) FROM returns) AS net`);
    assert.equal(net?.['net'], '180.0000', 'net sales = 300 gross - 120 refunded');
    const again = await s.import(f, { preset: 'shopify' });
    assert.deepEqual([again.refunds, again.duplicate], [0, 3]);
    assert.equal(await countOf(s.db, 'SELECT * FROM returns'), 2, 'a re-import never refunds twice');

    const taobao = s.write(
      'ExportOrderList.csv',
      [
        '订单编号,买家会员名,订单创建时间,订单付款时间,订单状态,买家应付货款,买家实际支付金额,退款金额,宝贝标题,宝贝总数量',
        '="T1",tb_a,2024-03-01 10:00:00,2024-03-01 10:01:00,交易成功,50.00,50.00,10.00,袜子,1',
        '="T2",tb_b,2024-03-01 11:00:00,2024-03-01 11:01:00,交易关闭,80.00,80.00,80.00,帽子,1',
      ].join('\n'),
    );
    const t = await s.import(taobao, { preset: 'taobao' });
    assert.equal(t.refunds, 1, 'a closed order is not a purchase, so its refund is no return');
    assert.equal(await purchase(s, 'T1'), true);
    assert.equal(await purchase(s, 'T2'), false, '交易关闭 after payment with the money refunded is not a purchase');
  } finally {
    s.close();
  }
});

test('an order cancelled after payment is not a purchase (Shopify Cancelled at with Paid at)', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders_export.csv',
      [
        SHOPIFY,
        shopifyRow({ name: '#1001', email: 'a@example.com', status: 'refunded', paid: '2024-03-01 10:01:00 +0000', cancelled: '2024-03-02 09:00:00 +0000', refunded: '100.00' }),
        shopifyRow({ name: '#1002', email: 'a@example.com', status: 'paid', paid: '2024-03-03 10:01:00 +0000', created: '2024-03-03 10:00:00 +0000' }),
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'shopify' });
    assert.equal(r.refunds, 0, 'the cancelled order is not a purchase: its refund is no return');
    assert.equal(await purchase(s, '#1001'), false);
    assert.equal(await purchase(s, '#1002'), true);
  } finally {
    s.close();
  }
});

test("stores' orders with the same number: a conflict without --store (no member made), both kept with --store", async () => {
  const s = await sandbox();
  try {
    const a = s.write('shop-a.csv', [SHOPIFY, shopifyRow({ name: '#1001', email: 'ann@example.com', status: 'paid', paid: '2024-03-01 10:01:00 +0000' })].join('\n'));
    const b = s.write(
      'shop-b.csv',
      [SHOPIFY, shopifyRow({ name: '#1001', email: 'bob@example.com', status: 'paid', paid: '2024-03-05 10:01:00 +0000', created: '2024-03-05 10:00:00 +0000', price: '40.00' })].join('\n'),
    );
    await s.import(a, { preset: 'shopify' });
    const r = await s.import(b, { preset: 'shopify' });
    assert.deepEqual([r.conflict, r.duplicate, r.loaded], [1, 0, 0], 'a stored key with other content is a conflict, not a duplicate');
    assert.equal(accounted(r), r.rows_read);
    const rejects = readCsv(r.rejects_file ?? '');
    const email = rejects.find((x) => x['field'] === 'buyer_email');
    assert.match(email?.['reason'] ?? '', /ann@example\.com.*bob@example\.com.*--store/);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 1, "the conflicting row's buyer is not made a member");

    const s2 = await sandbox();
    try {
      const ra = await s2.import(a, { preset: 'shopify', store: 'shop-a' });
      const rb = await s2.import(b, { preset: 'shopify', store: 'shop-b' });
      assert.deepEqual([ra.loaded, rb.loaded, rb.conflict], [1, 1, 0]);
      const orders = await s2.db.all('SELECT order_id, store_id FROM orders ORDER BY order_id');
      assert.deepEqual(orders, [
        { order_id: 'shop-a/#1001', store_id: 'shop-a' },
        { order_id: 'shop-b/#1001', store_id: 'shop-b' },
      ]);
      assert.equal(await countOf(s2.db, 'SELECT * FROM members'), 2);
    } finally {
      s2.close();
    }
  } finally {
    s.close();
  }
});

test('a later export updates an order: refund after payment, late payment; changes recorded once', async () => {
  const s = await sandbox();
  try {
    const first = s.write(
      'orders_export.csv',
      [
        SHOPIFY,
        shopifyRow({ name: '#1001', email: 'a@example.com', status: 'paid', paid: '2024-03-01 10:01:00 +0000' }),
        shopifyRow({ name: '#1002', email: 'b@example.com', status: 'pending' }),
      ].join('\n'),
    );
    await s.import(first, { preset: 'shopify' });
    assert.equal(await purchase(s, '#1002'), false);
    const later = s.write(
      'orders_export_later.csv',
      [
        SHOPIFY,
        shopifyRow({ name: '#1001', email: 'a@example.com', status: 'refunded', paid: '2024-03-01 10:01:00 +0000', cancelled: '2024-03-04 09:00:00 +0000', refunded: '100.00' }),
        shopifyRow({ name: '#1002', email: 'b@example.com', status: 'paid', paid: '2024-03-06 08:00:00 +0000' }),
      ].join('\n'),
    );
    const r = await s.import(later, { preset: 'shopify' });
    assert.deepEqual([r.updated, r.conflict, r.duplicate, r.loaded], [2, 0, 0, 0]);
    assert.equal(await purchase(s, '#1001'), false, 'cancelled and refunded: no longer a purchase');
    assert.equal(await purchase(s, '#1002'), true, 'the late payment makes it one');
    const changes = await s.db.all("SELECT order_id, field, old_value, new_value FROM order_changes WHERE field IN ('status', 'paid_at') ORDER BY order_id, field");
    assert.deepEqual(changes, [
      { order_id: '#1001', field: 'status', old_value: 'paid', new_value: 'cancelled' },
      { order_id: '#1002', field: 'paid_at', old_value: null, new_value: '2024-03-06 08:00:00' },
      { order_id: '#1002', field: 'status', old_value: 'created', new_value: 'paid' },
    ]);
    const again = await s.import(later, { preset: 'shopify' });
    assert.deepEqual([again.updated, again.duplicate], [0, 2]);
    assert.equal(await countOf(s.db, 'SELECT * FROM order_changes'), 6, 'a re-import records nothing more');
  } finally {
    s.close();
  }
});

test('sales rows repeating one line_no of one order: an exact repeat is a duplicate, a differing row is rejected', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'sales.csv',
      [
        'channel,order_id,line_no,buyer_id,created_at,paid_at,sku,quantity,unit_price',
        'web,o1,1,u1,2024-01-01 10:00:00,2024-01-01 10:00:00,A,1,10.00',
        'web,o1,1,u1,2024-01-01 10:00:00,2024-01-01 10:00:00,A,1,10.00',
        'web,o1,1,u1,2024-01-01 10:00:00,2024-01-01 10:00:00,B,3,10.00',
        'web,o1,2,u1,2024-01-01 10:00:00,2024-01-01 10:00:00,C,1,5.00',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.deepEqual([r.loaded, r.duplicate, r.rejected], [2, 1, 1]);
    const total = await s.db.one("SELECT product_value::VARCHAR AS v FROM order_values WHERE order_id = 'o1'");
    assert.equal(total?.['v'], '15.0000', 'the order is worth its value once');
  } finally {
    s.close();
  }
});

/** Stored and incoming orders as the canonical orders layout writes them. */
const CASES: Array<{ description: string; stored: OrderRecord; incoming: OrderRecord; expect: 'duplicate' | 'update' | 'conflict' }> = [
  { description: 'same content', stored: { status: 'paid', item_total: '10.00' }, incoming: { status: 'paid', item_total: '10.0000' }, expect: 'duplicate' },
  { description: 'status moved', stored: { status: 'paid' }, incoming: { status: 'completed' }, expect: 'update' },
  { description: 'late payment', stored: { status: 'created' }, incoming: { status: 'paid', paid_at: '2024-01-02 10:00:00', paid_amount: '10.00' }, expect: 'update' },
  { description: 'refunded amount appears', stored: { status: 'paid' }, incoming: { status: 'paid', refunded_amount: '3.50' }, expect: 'update' },
  { description: 'cancellation time only: the status it shows', stored: { status: 'paid' }, incoming: { cancelled_at: '2024-01-03 10:00:00' }, expect: 'update' },
  { description: 'another buyer', stored: { buyer_id: 'u1', status: 'paid' }, incoming: { buyer_id: 'u2', status: 'paid' }, expect: 'conflict' },
  { description: 'another value and a new status', stored: { item_total: '10.00', status: 'paid' }, incoming: { item_total: '12.00', status: 'completed' }, expect: 'conflict' },
  { description: 'another creation time', stored: { status: 'paid' }, incoming: { created_at: '2024-01-01 11:00:00', status: 'paid' }, expect: 'conflict' },
  { description: 'a field the later export lacks', stored: { discount: '1.00', status: 'paid' }, incoming: { status: 'paid' }, expect: 'duplicate' },
];

test('compareOrderRecord and the file import apply one rule', async () => {
  const header = ['channel', 'order_id', 'buyer_id', 'created_at', 'paid_at', 'cancelled_at', 'status', 'item_total', 'discount', 'paid_amount', 'refunded_amount'] as const;
  const row = (r: OrderRecord): string =>
    header.map((h) => (h === 'channel' ? 'web' : h === 'order_id' ? 'o1' : h === 'created_at' ? (r.created_at ?? '2024-01-01 10:00:00') : (r[h] ?? ''))).join(',');
  for (const c of CASES) {
    const stored = { buyer_id: 'u1', created_at: '2024-01-01 10:00:00', ...c.stored };
    const incoming = { ...c.incoming };
    const verdict = compareOrderRecord(stored, incoming).kind;
    assert.equal(verdict, c.expect, c.description);
    const s = await sandbox();
    try {
      await s.import(s.write('orders.csv', [header.join(','), row(stored)].join('\n')));
      const r = await s.import(s.write('orders-later.csv', [header.join(','), row(incoming)].join('\n')));
      const kind = r.conflict === 1 ? 'conflict' : r.updated === 1 ? 'update' : r.duplicate === 1 ? 'duplicate' : 'other';
      assert.equal(kind, verdict, `import agrees on: ${c.description}`);
    } finally {
      s.close();
    }
  }
});
