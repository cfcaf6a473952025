import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, clock, countOf, readCsv, sandbox as freshSandbox } from '../testing/index.js';
import { join } from 'node:path';
import { setSetting } from '../core/settings/index.js';
import { cli } from '../testing/processes.js';

/**
 * The WooCommerce order export's columns in the order the published mapping lists them
 * (woocommerce.com, "Import and Export of WooCommerce Orders"), with two line item columns.
 */
const COLUMNS = [
  'order_id',
  'order_number',
  'order_date',
  'paid_date',
  'status',
  'shipping_total',
  'shipping_tax_total',
  'fee_total',
  'fee_tax_total',
  'tax_total',
  'cart_discount',
  'order_discount',
  'discount_total',
  'order_total',
  'order_subtotal',
  'order_currency',
  'payment_method',
  'payment_method_title',
  'transaction_id',
  'customer_ip_address',
  'customer_user_agent',
  'shipping_method',
  'customer_id',
  'customer_user',
  'customer_email',
  'billing_first_name',
  'billing_last_name',
  'billing_company',
  'billing_email',
  'billing_phone',
  'billing_address_1',
  'billing_address_2',
  'billing_postcode',
  'billing_city',
  'billing_state',
  'billing_country',
  'shipping_first_name',
  'shipping_last_name',
  'shipping_company',
  'shipping_phone',
  'shipping_address_1',
  'shipping_address_2',
  'shipping_postcode',
  'shipping_city',
  'shipping_state',
  'shipping_country',
  'customer_note',
  'wt_import_key',
  'shipping_items',
  'fee_items',
  'tax_items',
  'coupon_items',
  'refund_items',
  'order_notes',
  'download_permissions',
  'line_item_1',
  'line_item_2',
];

interface Order {
  id: string;
  status: string;
  customer?: string;
  email?: string;
  date?: string;
  paid?: string;
  subtotal?: string;
  discount?: string;
  shipping?: string;
  total?: string;
  coupons?: string;
  refunds?: string;
  items: string[];
}

const item = (name: string, id: string, sku: string, qty: string, total: string, sub: string): string => `name:${name}|product_id:${id}|sku:${sku}|quantity:${qty}|total:${total}|sub_total:${sub}`;

/** One exported row: every value quoted, as the exporter writes it. */
function row(o: Order): string {
  const v: Record<string, string> = {
    order_id: o.id,
    order_number: o.id,
    order_date: o.date ?? '2024-03-01 10:00:00',
    paid_date: o.paid ?? '',
    status: o.status,
    shipping_total: o.shipping ?? '0',
    shipping_tax_total: '0.00',
    fee_total: '0.00',
    fee_tax_total: '0.00',
    tax_total: '0.00',
    cart_discount: o.discount ?? '0.00',
    order_discount: o.discount ?? '0.00',
    discount_total: o.discount ?? '0.00',
    order_total: o.total ?? '30.00',
    order_subtotal: o.subtotal ?? '30.00',
    order_currency: 'USD',
    payment_method: 'stripe',
    payment_method_title: 'Credit card',
    customer_id: o.customer ?? '0',
    customer_user: o.customer ?? '0',
    customer_email: o.customer !== undefined && o.customer !== '0' ? (o.email ?? '') : '',
    billing_first_name: 'Ann',
    billing_last_name: 'Lee',
    billing_email: o.email ?? '',
    billing_phone: o.customer === '7' ? '(415) 555-0100' : '',
    billing_country: 'US',
    shipping_country: 'US',
    wt_import_key: o.id,
    coupon_items: o.coupons ?? '',
    refund_items: o.refunds ?? '',
    download_permissions: '0',
    line_item_1: o.items[0] ?? '',
    line_item_2: o.items[1] ?? '',
  };
  return COLUMNS.map((c) => `"${(v[c] ?? '').replace(/"/g, '""')}"`).join(',');
}

const MUG = item('Mug', '11', 'MUG', '1', '30.00', '30.00');

const FIRST: Order[] = [
  {
    id: '101',
    status: 'completed',
    customer: '7',
    email: 'ann@example.com',
    paid: '2024-03-01T10:05:00-05:00',
    subtotal: '50.00',
    discount: '5.00',
    shipping: '4',
    total: '49.00',
    coupons: 'code:spring|amount:5.00',
    items: [item('Mug', '11', 'MUG', '2', '27.00', '30.00'), `${item('Tea, green | loose', '12', '', '1', '18.00', '20.00')}|tax:1.20|refunded:0`],
  },
  { id: '102', status: 'processing', customer: '0', email: 'guest@example.com', paid: '2024-03-02T09:00:00-05:00', items: [MUG] },
  { id: '103', status: 'refunded', customer: '8', email: 'bo@example.com', paid: '2024-03-02T10:00:00-05:00', refunds: 'amount:30.00|reason:Damaged|date:2024-03-05 09:00:00', items: [MUG] },
  {
    id: '104',
    status: 'completed',
    customer: '8',
    email: 'bo@example.com',
    paid: '2024-03-03T10:00:00-05:00',
    refunds: 'amount:4.00|reason:|date:2024-03-06 08:30:00;amount:6.00|reason:late|date:2024-03-07 12:00:00',
    items: [MUG],
  },
  // The published page shows dates as MM/DD/YYYY H:i:s.
  { id: '105', status: 'cancelled', customer: '9', email: 'cy@example.com', date: '3/4/2024 6:29:00', items: [MUG] },
  // Two items: the order's bad status is one reject of its line, counted as both rows.
  { id: '106', status: 'shipped-to-moon', customer: '9', email: 'cy@example.com', items: [MUG, item('Mug', '11', 'MUG', '1', '30.00', '30.00')] },
  { id: '107', status: 'completed', customer: '9', email: 'cy@example.com', paid: '2024-03-04T10:00:00-05:00', items: ['Mug x 2'] },
  { id: '108', status: 'completed', customer: '9', email: 'cy@example.com', paid: '2024-03-04T11:00:00-05:00', total: '30.O0', items: [MUG] },
  { id: '109', status: 'pending', customer: '7', email: 'ann@example.com', date: '2024-03-08 10:00:00', items: [MUG] },
  // No line item at all: one row, rejected, never dropped from the account.
  { id: '110', status: 'wc-completed', customer: '7', email: 'ann@example.com', paid: '2024-03-08T11:00:00-05:00', items: [] },
];

async function sandbox(): Promise<Awaited<ReturnType<typeof freshSandbox>>> {
  const s = await freshSandbox();
  await setSetting(s.db, clock, 'shop.currency', 'USD');
  // A shop in New York: paid dates carry its offset, order and refund dates are its local time.
  await setSetting(s.db, clock, 'shop.timezone', 'America/New_York');
  return s;
}

test('woocommerce preset: member, guest, refunded, partly refunded and cancelled orders; bad rows refused by line; re-import and a later export', async () => {
  const s = await sandbox();
  try {
    const f = s.write('order_export.csv', [COLUMNS.join(','), ...FIRST.map(row)].join('\n'));
    const checked = await s.import(f, { preset: 'woocommerce', check: true });
    assert.deepEqual([checked.checked, checked.rows_read, checked.rejected], [true, 12, 5]);
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 0, '--check writes nothing');

    const r = await s.import(f, { preset: 'woocommerce' });
    // Rows are order lines: order 101's two line items are two rows.
    assert.deepEqual([r.rows_read, r.loaded, r.guest, r.rejected], [12, 7, 0, 5]);
    assert.equal(r.reject_reasons.find((x) => x.field === 'status')?.rows, 2, 'reasons count rows, as rejected does');
    assert.equal(accounted(r), r.rows_read);
    const rejects = readCsv(r.rejects_file ?? '').map((x) => `${x['line']}/${x['field']}/${x['value']}`);
    assert.deepEqual([...new Set(rejects.map((x) => x.split('/')[0]))], ['7', '8', '9', '11'], 'physical lines of the bad rows');
    for (const want of ['7/status/shipped-to-moon', '8/line_item_1/Mug x 2', '9/paid_amount/30.O0', '11/line_item/']) assert.ok(rejects.includes(want), `${want} in ${rejects.join('; ')}`);
    assert.equal(rejects.filter((x) => x === '7/status/shipped-to-moon').length, 1, 'an order-level error is named once, not once per line item');
    assert.ok(readCsv(r.rejects_file ?? '').every((x) => x['file'] === f && (x['reason'] ?? '') !== ''));

    const o101 = await s.db.one(
      `SELECT status, item_total::VARCHAR AS item_total, discount::VARCHAR AS discount, shipping::VARCHAR AS shipping,
         paid_amount::VARCHAR AS paid, coupon_codes, strftime(paid_at, '%Y-%m-%d %H:%M') AS paid_at FROM orders WHERE order_id = '101'`,
    );
    assert.deepEqual(o101, { status: 'completed', item_total: '50.0000', discount: '5.0000', shipping: '4.0000', paid: '49.0000', coupon_codes: 'spring', paid_at: '2024-03-01 10:05' });
    const lines = await s.db.all("SELECT line_no, sku, name, quantity::VARCHAR AS q, amount::VARCHAR AS a FROM order_lines WHERE order_id = '101' ORDER BY line_no");
    assert.deepEqual(lines, [
      { line_no: 1, sku: 'MUG', name: 'Mug', q: '2.0000', a: '30.0000' },
      { line_no: 2, sku: 'product_id:12', name: 'Tea, green | loose', q: '1.0000', a: '20.0000' },
    ]);

    const dated = await s.db.one("SELECT strftime(created_at, '%Y-%m-%d %H:%M') AS at FROM orders WHERE order_id = '105'");
    assert.equal(dated?.['at'], '2024-03-04 06:29', 'month first, as the page writes it');
    // customer_id 0 is a guest checkout: no account, the buyer is known by the billing email only.
    const guest = await s.db.all("SELECT i.kind, i.value FROM orders o JOIN identities i ON i.identity_id = o.buyer_id WHERE o.order_id = '102'");
    assert.deepEqual(guest, [{ kind: 'email', value: 'guest@example.com' }]);
    const phone = await s.db.one("SELECT value FROM identities WHERE kind = 'phone'");
    assert.equal(phone?.['value'], '+14155550100', 'the billing phone read in the billing country');

    const purchases = await s.db.all('SELECT order_id, is_purchase FROM order_values ORDER BY order_id');
    assert.deepEqual(
      purchases.map((p) => `${String(p['order_id'])}:${String(p['is_purchase'])}`),
      ['101:true', '102:true', '103:false', '104:true', '105:false', '109:false'],
      'refunded in full (103) and cancelled (105) are not purchases; pending (109) is not paid',
    );
    // Partly refunded: one return for the refunds, dated by the latest refund (the shop's local time).
    const returns = await s.db.all("SELECT order_id, amount::VARCHAR AS amount, strftime(returned_at, '%Y-%m-%d %H:%M') AS at FROM returns ORDER BY order_id");
    assert.deepEqual(returns, [{ order_id: '104', amount: '10.0000', at: '2024-03-07 12:00' }]);
    assert.equal(r.refunds, 1);

    const again = await s.import(f, { preset: 'woocommerce' });
    assert.deepEqual([again.loaded, again.duplicate, again.updated, again.refunds, again.rejected], [0, 7, 0, 0, 5]);
    assert.equal(await countOf(s.db, 'SELECT * FROM returns'), 1, 'a re-import never refunds twice');

    // A later export: 109 was paid, 104 refunded once more, 101 refunded in full.
    const later: Order[] = [
      { ...(FIRST[8] as Order), status: 'processing', paid: '2024-03-09T08:00:00-05:00' },
      { ...(FIRST[3] as Order), refunds: `${FIRST[3]?.refunds ?? ''};amount:5.00|reason:|date:2024-03-10 07:00:00` },
      { ...(FIRST[0] as Order), status: 'refunded', refunds: 'amount:49.00|reason:|date:2024-03-11 07:00:00' },
    ];
    const g = s.write('order_export_later.csv', [COLUMNS.join(','), ...later.map(row)].join('\n'));
    const u = await s.import(g, { preset: 'woocommerce' });
    assert.deepEqual([u.rows_read, u.updated, u.rejected, u.conflict], [4, 4, 0, 0]);
    assert.equal(accounted(u), u.rows_read);
    const now = await s.db.all("SELECT order_id, status, strftime(paid_at, '%Y-%m-%d') AS paid FROM orders WHERE order_id IN ('101', '109') ORDER BY order_id");
    assert.deepEqual(now, [
      { order_id: '101', status: 'cancelled', paid: '2024-03-01' },
      { order_id: '109', status: 'paid', paid: '2024-03-09' },
    ]);
    const after = await s.db.all("SELECT order_id, amount::VARCHAR AS amount, strftime(returned_at, '%Y-%m-%d') AS day FROM returns ORDER BY returned_at");
    assert.deepEqual(after, [
      { order_id: '104', amount: '10.0000', day: '2024-03-07' },
      { order_id: '104', amount: '5.0000', day: '2024-03-10' },
    ]);
    const p = await s.db.all("SELECT order_id, is_purchase FROM order_values WHERE order_id IN ('101', '109') ORDER BY order_id");
    assert.deepEqual(
      p.map((x) => x['is_purchase']),
      [false, true],
    );
    assert.ok((await countOf(s.db, "SELECT * FROM order_changes WHERE order_id = '109' AND field = 'status'")) === 1);
  } finally {
    s.close();
  }
});

test('woocommerce preset: an export in another currency than the shop is refused naming the setting; a file without line items is not this layout', async () => {
  const s = await sandbox();
  try {
    const eur = s.write('eur.csv', [COLUMNS.join(','), row({ id: '201', status: 'completed', customer: '7', email: 'a@example.com', items: [MUG] }).replace('"USD"', '"EUR"')].join('\n'));
    await assert.rejects(s.import(eur, { preset: 'woocommerce' }), /EUR \(column order_currency\).*shop\.currency/);
    const flat = s.write('flat.csv', ['order_id,order_date,status,order_total', '1,2024-03-01 10:00:00,completed,10.00'].join('\n'));
    await assert.rejects(s.import(flat, { preset: 'woocommerce' }), /no line_item_1/);
    assert.equal(await countOf(s.db, 'SELECT * FROM imports'), 0);
  } finally {
    s.close();
  }
});

test('regulars import --preset woocommerce, with --check and --json, from the command line', async () => {
  const s = await freshSandbox();
  try {
    const f = s.write('order_export.csv', [COLUMNS.join(','), ...FIRST.map(row)].join('\n'));
    const db = join(s.dir, 'cli.duckdb');
    const rejects = join(s.dir, 'rj');
    const set = await cli(['settings', 'set', 'shop.currency', 'USD', '--db', db]);
    assert.equal(set.code, 0, set.stderr);
    const check = await cli(['import', f, '--preset', 'woocommerce', '--check', '--db', db, '--rejects', rejects]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /CHECK \(nothing written\).*12 rows read, 7 loaded.*5 rejected/);
    const json = await cli(['import', f, '--preset', 'woocommerce', '--json', '--db', db, '--rejects', rejects]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { files: Array<{ preset: string; rows_read: number; loaded: number; rejected: number; refunds: number }> };
    assert.deepEqual(
      doc.files.map((x) => [x.preset, x.rows_read, x.loaded, x.rejected, x.refunds]),
      [['woocommerce', 12, 7, 5, 1]],
    );
  } finally {
    s.close();
  }
});
