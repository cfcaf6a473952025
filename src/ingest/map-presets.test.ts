import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, countOf, sandbox } from '../testing/index.js';

test('tianchi preset: headerless behaviour log, epoch seconds, pv/fav/cart/buy mapped; re-import adds nothing', async () => {
  const s = await sandbox();
  try {
    // UserBehavior.csv layout: user_id,item_id,category_id,behavior_type,timestamp (no header).
    const f = s.write(
      'UserBehavior.csv',
      [
        '1,2268318,2520377,pv,1511544070',
        '1,2333346,2520771,fav,1511561733',
        '1,2333346,2520771,fav,1511561733',
        '2,2576651,149192,cart,1511572885',
        '2,3830808,4181361,buy,1511593493',
        '3,1,1,like,1511593493',
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'tianchi' });
    assert.deepEqual([r.rows_read, r.loaded], [6, 6], 'every row is an event; an unknown behaviour stays a custom event type');
    assert.equal(accounted(r), 6);
    const events = await s.db.all("SELECT type, sku, strftime(occurred_at, '%Y-%m-%d %H:%M:%S') AS at FROM events ORDER BY occurred_at, type LIMIT 2");
    assert.deepEqual(events, [
      { type: 'view', sku: '2268318', at: '2017-11-24 17:21:10' },
      { type: 'favourite', sku: '2333346', at: '2017-11-24 22:15:33' },
    ]);
    assert.equal(await countOf(s.db, "SELECT * FROM events WHERE type = 'order'"), 1);
    const again = await s.import(f, { preset: 'tianchi' });
    assert.deepEqual([again.loaded, again.duplicate], [0, 6]);
  } finally {
    s.close();
  }
});

test('shopify-customers preset: members with joined names and country-read phones; consents from the same file', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'customers_export.csv',
      [
        'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags',
        "5001,Ann,Lee,ann@example.com,yes,,1 Main St,,Portland,OR,US,97201,,'+1 503 555 0100,no,120.00,2,,no,",
        '5002,Sven,,sven@example.com,no,,Storgatan 1,,Stockholm,,SE,11122,070 123 45 67,,no,0.00,0,,no,',
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'shopify-customers' });
    assert.deepEqual([r.entity, r.loaded], ['members', 2]);
    const names = await s.db.all('SELECT external_id, name FROM member_records ORDER BY external_id');
    assert.deepEqual(names, [
      { external_id: '5001', name: 'Ann Lee' },
      { external_id: '5002', name: 'Sven' },
    ]);
    const phones = (await s.db.all("SELECT value FROM identities WHERE kind = 'phone' ORDER BY value")).map((x) => x['value']);
    assert.deepEqual(phones, ['+15035550100', '+46701234567']);
    const c = await s.import(f, { preset: 'shopify-customers', entity: 'consents' });
    assert.deepEqual([c.entity, c.loaded], ['consents', 2]);
    assert.deepEqual(
      (await s.db.all('SELECT status FROM consents ORDER BY status')).map((x) => x['status']),
      ['granted', 'withdrawn'],
    );
  } finally {
    s.close();
  }
});

test('--map: no header, epoch milliseconds, value maps, coalesce and concat of columns', async () => {
  const s = await sandbox();
  try {
    const map = s.write(
      'map.json',
      JSON.stringify({
        entity: 'members',
        header: false,
        column_names: ['id', 'first', 'last', 'email', 'phone', 'joined', 'gender'],
        date_format: 'epoch_milliseconds',
        columns: { external_id: { coalesce: ['email', 'phone'] }, name: { concat: ['first', 'last'], separator: ' ' }, phone: 'phone', email: 'email', registered_at: 'joined', gender: 'gender' },
        values: { gender: { '1': 'M', '2': 'F' } },
        constants: { channel: 'crm' },
      }),
    );
    const f = s.write('crm.csv', ['7,Ann,Lee,ann@example.com,,1700000000000,2', '8,Bo,,,13800138000,1700000060000,1'].join('\n'));
    const r = await s.import(f, { mapFile: map });
    assert.deepEqual([r.rows_read, r.loaded, r.rejected], [2, 2, 0]);
    const rows = await s.db.all("SELECT external_id, name, gender, strftime(registered_at, '%Y-%m-%d %H:%M:%S') AS at FROM member_records ORDER BY external_id");
    assert.deepEqual(rows, [
      { external_id: '13800138000', name: 'Bo', gender: 'M', at: '2023-11-14 22:14:20' },
      { external_id: 'ann@example.com', name: 'Ann Lee', gender: 'F', at: '2023-11-14 22:13:20' },
    ]);
    const bad = s.write('bad-map.json', JSON.stringify({ entity: 'members', header: false, columns: { external_id: 'id' } }));
    await assert.rejects(s.import(f, { mapFile: bad }), /column_names/);
  } finally {
    s.close();
  }
});

test("taobao-items preset: the item report (宝贝报表) gives the order report's orders their lines", async () => {
  const s = await sandbox();
  try {
    const orders = s.write(
      'ExportOrderList.csv',
      ['订单编号,买家会员名,订单创建时间,订单付款时间,订单状态,买家应付货款,买家实际支付金额', '="3001",tb_a,2024-03-01 10:00:00,2024-03-01 10:01:00,交易成功,70.00,70.00'].join('\n'),
    );
    await s.import(orders, { preset: 'taobao' });
    const items = s.write(
      'ExportOrderDetailList.csv',
      [
        '订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码',
        '="3002",帽子,15.00,1,,,,,交易成功,HAT',
        '="3001",袜子,10.00,2,,颜色:白,,,交易成功,SOCK',
        '="3001",围巾,50.00,1,,,,,交易成功,SCARF',
      ].join('\n'),
    );
    const r = await s.import(items, { preset: 'taobao-items' });
    assert.deepEqual([r.entity, r.rows_read, r.rejected], ['order_lines', 3, 0]);
    const lines = await s.db.all("SELECT order_id, sku, amount::VARCHAR AS amount FROM order_lines WHERE sku <> '' AND order_id IN ('3001', '3002') AND sku IS NOT NULL ORDER BY order_id, sku");
    assert.deepEqual(lines, [
      { order_id: '3001', sku: 'SCARF', amount: '50.0000' },
      { order_id: '3001', sku: 'SOCK', amount: '20.0000' },
      { order_id: '3002', sku: 'HAT', amount: '15.0000' },
    ]);
    const again = await s.import(items, { preset: 'taobao-items' });
    assert.deepEqual([again.loaded, again.duplicate], [0, 3]);
  } finally {
    s.close();
  }
});

test('--check validates a map against a file and says what would load, writing nothing', async () => {
  const s = await sandbox();
  try {
    const map = s.write('map.json', JSON.stringify({ entity: 'orders', columns: { order_id: 'No', buyer_id: 'Kunde', created_at: 'Datum', item_total: 'Summe' }, constants: { channel: 'pos' } }));
    const f = s.write('kasse.csv', ['No,Kunde,Datum,Summe', 'B1,K1,2024-04-03 17:30,"12,50"', 'B2,K2,2024-04-04 09:00,3.99'].join('\n'));
    const r = await s.import(f, { mapFile: map, check: true });
    assert.deepEqual([r.checked, r.loaded, r.rejected, r.rejects_file], [true, 1, 1, null]);
    assert.match(r.reject_reasons[0]?.reason ?? '', /decimal comma/);
    for (const t of ['orders', 'identities', 'members', 'imports']) assert.equal(await countOf(s.db, `SELECT * FROM ${t}`), 0, `${t} stays empty`);
    const real = await s.import(f, { mapFile: map });
    assert.deepEqual([real.checked, real.loaded], [false, 1]);
  } finally {
    s.close();
  }
});
