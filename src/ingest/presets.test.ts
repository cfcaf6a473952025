import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { accounted, clock, countOf, readCsv, sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';

/** A Taobao seller-centre order report as the site exports it: GBK bytes, ="..." order numbers. */
const TAOBAO_GBK = Buffer.from(
  'tqm1pbHgusUswvK80rvh1LHD+yzBqs+1yta7+izK1bv1yMvQ1cP7LLaptaW0tL2oyrG85Cy2qbWluLa/7sqxvOQsyLfIz8rVu/XKsbzkLLaptaXXtMysLMLyvNLTpri2u/W/7izC8rzS06a4ttPKt9EswvK80sq1vMrWp7i2vfC27iyxprG0serM4iyxprG019zK/cG/Cj0iMTAwMSIs0KHD93p6LDEzODAwMTM4MDAwLNXFyP0sMjAyNC0wMy0wMSAxMDowMDowMCwyMDI0LTAzLTAxIDEwOjA1OjAwLDIwMjQtMDMtMDUgMTI6MDA6MDAsvbvS17PJuaYsOTkuMDAsMTAuMDAsMTA5LjAwLMGs0sLIuSwxCj0iMTAwMiIsdGJfbGksMTM4KioqKjU2NzgswO7LxCwyMDI0LTAzLTAyIDExOjAwOjAwLCwstci0/cLyvNK4tr/uLDUwLjAwLDAuMDAsMC4wMCxU0PQsMgo9IjEwMDMiLNChw/d6eiwxMzgwMDEzODAwMCzVxcj9LDIwMjQtMDMtMDMgMDk6MDA6MDAsMjAyNC0wMy0wMyAwOTowMTowMCwswvS80tLRt6K79aOstci0/cLyvNLIt8jPLDEyMC41MCwwLjAwLDEyMC41MCzN4szXLDEKPSIxMDA0Iix0Yl93YW5nLCs4NiAxMzkgMDAxMyA5MDAwLM31zuUsMjAyNC0wMy0wNCAwODowMDowMCwsLL270te52LHVLDMwLjAwLDUuMDAsMC4wMCzN4NfTLDMK',
  'base64',
);

test('regulars preset: members, orders, lines, returns, products, events, consents load and add up', async () => {
  const s = await sandbox();
  try {
    const members = s.write(
      'members.csv',
      [
        'channel,external_id,phone,email,name,gender,birthday,city,registered_at',
        'shop,c1,13800138000,Ann@Example.com ,Ann,F,1990-05-01,Shanghai,2024-01-01 09:00:00',
        'tmall,tb_ann,+86 138-0013-8000,,,,,,2024-02-01 10:00:00',
        'shop,c2,,bob@example.com,Bob,M,,Beijing,2024-01-03 09:00:00',
      ].join('\n'),
    );
    const r1 = await s.import(members);
    assert.equal(r1.entity, 'members');
    assert.equal(r1.rows_read, 3);
    assert.equal(r1.loaded, 3);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2, 'Ann on shop and tmall share a phone: one member');

    const orders = s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,paid_at,status,item_total,discount,shipping,paid_amount,coupon_codes',
        'shop,o1,c1,2024-03-01 10:00:00,2024-03-01 10:01:00,paid,100.00,10.00,5.00,95.00,SPRING',
        'shop,o2,c2,2024-03-02 10:00:00,,created,20.00,,,,',
        'shop,o3,,2024-03-03 10:00:00,2024-03-03 10:00:00,paid,7.50,,,7.50,',
      ].join('\n'),
    );
    const r2 = await s.import(orders);
    assert.deepEqual([r2.loaded, r2.guest, r2.rejected], [2, 1, 0]);

    const lines = s.write(
      'order_lines.csv',
      [
        'channel,order_id,line_no,sku,name,line_type,quantity,unit_price,list_price,cost',
        'shop,o1,1,SKU1,Serum,product,2,45.0000,50.00,12.3456',
        'shop,o1,2,POST,Postage,postage,1,5.00,,',
        'shop,o2,1,SKU2,Cream,product,1,20.00,,',
        'shop,o3,1,SKU1,Serum,product,1,7.50,,',
      ].join('\n'),
    );
    const r3 = await s.import(lines);
    assert.deepEqual([r3.loaded, r3.non_product], [3, 1]);
    const amount = await s.db.one("SELECT amount::VARCHAR AS a, cost::VARCHAR AS c FROM order_lines WHERE order_id = 'o1' AND line_no = 1");
    assert.deepEqual(amount, { a: '90.0000', c: '12.3456' }, 'money stays exact decimal');

    const returns = s.write(
      'returns.csv',
      ['channel,return_id,line_no,order_id,order_line_no,buyer_id,sku,quantity,amount,reason,returned_at', 'shop,r1,1,o1,1,c1,SKU1,1,45.00,too small,2024-03-10 12:00:00'].join('\n'),
    );
    const r4 = await s.import(returns);
    assert.equal(r4.return, 1);

    const products = s.write(
      'products.csv',
      ['sku,name,category_path,brand,list_price,cost,launched_at,line_type', 'SKU1,Serum,Skincare > Serum,Acme,50.00,12.00,2023-10-01,product', 'POST,Postage,,,,,,postage'].join('\n'),
    );
    const r5 = await s.import(products);
    assert.deepEqual([r5.loaded, r5.non_product], [1, 1]);

    const events = s.write(
      'events.ndjson',
      [
        JSON.stringify({ channel: 'shop', event_id: 'e1', type: 'visit', at: '2024-03-01T09:59:00+08:00', buyer_id: 'c1', source: 'search' }),
        JSON.stringify({ channel: 'shop', event_id: 'e2', type: 'view', at: '2024-03-01 10:00:00', buyer_id: 'c1', sku: 'SKU1', dwell_seconds: 35 }),
        JSON.stringify({ channel: 'shop', event_id: 'e3', type: 'live_stream_watch', at: '2024-03-01 20:00:00', properties: '{"minutes":12}' }),
      ].join('\n'),
    );
    const r6 = await s.import(events, { entity: 'events' });
    assert.equal(r6.format, 'ndjson');
    assert.equal(r6.loaded, 3);
    assert.equal(await countOf(s.db, 'SELECT * FROM events WHERE actor_id IS NOT NULL'), 2);

    const consents = s.write(
      'consents.csv.gz',
      gzipSync(
        ['channel,external_id,contact_channel,status,at,source', 'shop,c1,sms,granted,2024-01-01 09:00:00,signup form', 'shop,c1,sms,withdrawn,2024-05-01 09:00:00,unsubscribe link'].join('\n'),
      ),
    );
    const r7 = await s.import(consents);
    assert.equal(r7.entity, 'consents');
    assert.equal(r7.loaded, 2);

    for (const r of [r1, r2, r3, r4, r5, r6, r7]) assert.equal(accounted(r), r.rows_read, `${r.file} accounts for every row`);
  } finally {
    s.close();
  }
});

test('regulars preset reads Parquet and stays idempotent on re-import', async () => {
  const s = await sandbox();
  try {
    const pq = `${s.dir}/orders.parquet`;
    await s.db.run(
      `COPY (SELECT 'web' AS channel, 'o' || i AS order_id, 'u' || (i % 3) AS buyer_id, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) HOUR AS created_at,
               'paid' AS status, (i * 1.25)::DECIMAL(10,2) AS paid_amount FROM range(1, 11) t(i)) TO '${pq}' (FORMAT parquet)`,
    );
    const first = await s.import(pq);
    assert.equal(first.format, 'parquet');
    assert.equal(first.loaded, 10);
    const again = await s.import(pq);
    assert.deepEqual([again.loaded, again.duplicate], [0, 10]);
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 10);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 3);
  } finally {
    s.close();
  }
});

test('online-retail preset: cancellations become returns, guests, non-product codes, adjustments', async () => {
  const s = await sandbox();
  try {
    const file = s.write(
      'retail.csv',
      [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        '536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
        '536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom',
        '536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:27:00,2.55,17850,United Kingdom',
        '536366,22633,HAND WARMER,3,2010-12-01 08:28:00,1.85,,United Kingdom',
        'C536379,85123A,WHITE HANGING HEART,-2,2010-12-02 09:41:00,2.55,17850,United Kingdom',
        'C536380,D,Discount,-1,2010-12-02 09:45:00,27.50,14527,United Kingdom',
        'C536381,99999,OLD ITEM,-1,2010-12-02 10:00:00,4.00,14527,United Kingdom',
        '536382,22139,DAMAGED,-12,2010-12-03 10:00:00,0,,United Kingdom',
        'A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom',
      ].join('\n'),
    );
    const r = await s.import(file, { preset: 'online-retail' });
    assert.equal(r.rows_read, 9);
    assert.equal(accounted(r), 9);
    assert.deepEqual({ loaded: r.loaded, guest: r.guest, return: r.return, non_product: r.non_product }, { loaded: 2, guest: 1, return: 3, non_product: 3 });
    const lines = await s.db.all("SELECT line_no, sku, amount::VARCHAR AS amount FROM order_lines WHERE order_id = '536365' ORDER BY line_no");
    assert.deepEqual(
      lines,
      [
        { line_no: 1, sku: '85123A', amount: '15.3000' },
        { line_no: 2, sku: 'POST', amount: '18.0000' },
        { line_no: 3, sku: '85123A', amount: '15.3000' },
      ],
      'exact duplicate lines are kept, numbered in file order',
    );
    const ret = await s.db.all('SELECT return_id, order_id, quantity, amount::VARCHAR AS amount, line_type FROM returns ORDER BY return_id');
    assert.deepEqual(ret, [
      { return_id: 'C536379', order_id: '536365', quantity: '2.0000', amount: '5.1000', line_type: 'product' },
      { return_id: 'C536380', order_id: null, quantity: '1.0000', amount: '27.5000', line_type: 'discount' },
      { return_id: 'C536381', order_id: null, quantity: '1.0000', amount: '4.0000', line_type: 'product' },
    ]);
    const types = await s.db.all("SELECT order_id, line_type FROM order_lines WHERE order_id IN ('536382', 'A563185') ORDER BY order_id");
    assert.deepEqual(types, [
      { order_id: '536382', line_type: 'adjustment' },
      { order_id: 'A563185', line_type: 'bad_debt' },
    ]);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2);
  } finally {
    s.close();
  }
});

test('cdnow preset reads the 5-column sample and the 4-column master with its header', async () => {
  const s = await sandbox();
  try {
    const sample = s.write(
      'CDNOW_sample.txt',
      ['     4    1  19970101   2   29.33', '     4    1  19970118   2   29.73', '     4    1  19970118   1   10.00', '    18    2  19970102   2   28.86'].join('\n'),
    );
    const r = await s.import(sample, { preset: 'cdnow' });
    assert.deepEqual([r.rows_read, r.loaded], [4, 4]);
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 4, 'two purchases the same day stay two orders');
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2);
    const master = s.write('CDNOW_master.txt', ['  customer_id  date  cds  dollars', '     4 19970101   2   29.33', '    99 19970105   1   11.77'].join('\n'));
    const m = await s.import(master, { preset: 'cdnow' });
    assert.deepEqual([m.rows_read, m.loaded, m.duplicate], [2, 1, 1], 'the master repeats the sample customer 4 purchase');
    const v = await s.db.one("SELECT amount::VARCHAR AS a, quantity FROM order_lines WHERE order_id = '99-19970105-1'");
    assert.deepEqual(v, { a: '11.7700', quantity: '1.0000' });
  } finally {
    s.close();
  }
});

test('shopify preset: order fields on the first line only, zoned times, statuses, optional columns', async () => {
  const s = await sandbox();
  try {
    const file = s.write(
      'orders_export.csv',
      [
        'Name,Email,Financial Status,Paid at,Fulfilled at,Subtotal,Shipping,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Phone,Cancelled at',
        '#1001,Ann@Example.com,paid,2024-03-01 10:05:00 +0800,2024-03-02 09:00:00 +0800,90.00,5.00,95.00,SPRING,10.00,2024-03-01 10:00:00 +0800,2,Serum,45.00,SKU1,Ann,,',
        '#1001,,,,,,,,,,2024-03-01 10:00:00 +0800,1,Cream,10.00,SKU2,,,',
        '#1002,bob@example.com,pending,,,20.00,0.00,20.00,,0.00,2024-03-03 11:00:00 +0800,1,Cream,20.00,SKU2,Bob,+8613900139000,',
        '#1003,bob@example.com,voided,,,20.00,0.00,20.00,,0.00,2024-03-04 11:00:00 +0800,1,Cream,20.00,SKU2,Bob,,2024-03-04 12:00:00 +0800',
      ].join('\n'),
    );
    // The shop's time zone decides local time: +0800 stamps stay as written in Shanghai.
    await setSetting(s.db, clock, 'shop.timezone', 'Asia/Shanghai');
    const r = await s.import(file, { preset: 'shopify' });
    assert.deepEqual([r.rows_read, r.loaded], [4, 4]);
    const orders = await s.db.all(
      "SELECT order_id, status, strftime(created_at, '%Y-%m-%d %H:%M') AS created, item_total::VARCHAR AS item_total, paid_amount::VARCHAR AS paid FROM orders ORDER BY order_id",
    );
    assert.deepEqual(orders, [
      { order_id: '#1001', status: 'shipped', created: '2024-03-01 10:00', item_total: '100.0000', paid: '95.0000' },
      { order_id: '#1002', status: 'created', created: '2024-03-03 11:00', item_total: '20.0000', paid: null },
      { order_id: '#1003', status: 'cancelled', created: '2024-03-04 11:00', item_total: '20.0000', paid: null },
    ]);
    assert.equal(await countOf(s.db, "SELECT * FROM order_lines WHERE order_id = '#1001'"), 2);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2, 'buyers are found by email');
    const minimal = s.write('minimal.csv', ['Name,Created at,Lineitem quantity,Lineitem price', '#2001,2024-04-01 10:00:00,1,9.99'].join('\n'));
    const m = await s.import(minimal, { preset: 'shopify' });
    assert.deepEqual([m.guest, m.rejected], [1, 0], 'an export without customer columns still loads, as guest orders');
  } finally {
    s.close();
  }
});

test('taobao preset: GBK report, ="..." numbers, Chinese statuses, masked phones ignored', async () => {
  const s = await sandbox();
  try {
    const file = s.write('ExportOrderList.csv', TAOBAO_GBK);
    const r = await s.import(file, { preset: 'taobao', channel: 'tmall' });
    assert.equal(r.encoding, 'gb18030');
    assert.deepEqual([r.rows_read, r.loaded, r.rejected], [4, 4, 0]);
    assert.equal(r.warnings.count, 1, 'the masked phone 138****5678 is reported, not used');
    const orders = await s.db.all('SELECT order_id, status, paid_amount::VARCHAR AS paid, shipping::VARCHAR AS shipping FROM orders ORDER BY order_id');
    assert.deepEqual(orders, [
      { order_id: '1001', status: 'completed', paid: '109.0000', shipping: '10.0000' },
      { order_id: '1002', status: 'created', paid: '0.0000', shipping: '0.0000' },
      { order_id: '1003', status: 'shipped', paid: '120.5000', shipping: '0.0000' },
      { order_id: '1004', status: 'cancelled', paid: '0.0000', shipping: '5.0000' },
    ]);
    const line = await s.db.one("SELECT name, quantity, amount::VARCHAR AS amount FROM order_lines WHERE order_id = '1004'");
    assert.deepEqual(line, { name: '袜子', quantity: '3.0000', amount: '30.0000' });
    const phone = await s.db.one("SELECT count(*) AS n FROM identities WHERE kind = 'phone' AND value = '+8613900139000'");
    assert.equal(Number(phone?.['n']), 1, '+86 139 0013 9000 normalizes to E.164');
  } finally {
    s.close();
  }
});

test('--map maps any layout: semicolons, day-first dates, decimal commas, constants', async () => {
  const s = await sandbox();
  try {
    const map = s.write(
      'pos-map.json',
      JSON.stringify({
        entity: 'sales',
        delimiter: ';',
        date_format: '%d.%m.%Y %H:%M',
        decimal_separator: ',',
        columns: { order_id: 'Beleg', buyer_pos_card: 'Karte', created_at: 'Datum', sku: 'Artikel', quantity: 'Menge', unit_price: 'Preis' },
        constants: { channel: 'pos', status: 'paid', store_id: 'BER1' },
      }),
    );
    const file = s.write(
      'kasse.csv',
      ['Beleg;Karte;Datum;Artikel;Menge;Preis', 'B1;K77;03.04.2024 17:30;A1;2;1.234,50', 'B2;;04.04.2024 09:00;A2;1;3,99', 'B3;K77;31.02.2024 10:00;A1;1;2,00'].join('\n'),
    );
    const r = await s.import(file, { mapFile: map });
    assert.deepEqual([r.rows_read, r.loaded, r.guest, r.rejected], [3, 1, 1, 1]);
    const v = await s.db.one(
      "SELECT amount::VARCHAR AS a, strftime(o.created_at, '%Y-%m-%d %H:%M') AS t, o.store_id FROM order_lines l JOIN orders o USING (channel_id, order_id) WHERE order_id = 'B1'",
    );
    assert.deepEqual(v, { a: '2469.0000', t: '2024-04-03 17:30', store_id: 'BER1' });
    const rejects = readCsv(r.rejects_file ?? '');
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]?.['line'], '4');
    assert.equal(rejects[0]?.['field'], 'created_at');
    assert.match(rejects[0]?.['reason'] ?? '', /not a date/);
    assert.equal(rejects[0]?.['value'], '31.02.2024 10:00');
  } finally {
    s.close();
  }
});
