import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { findMember, memberView } from '../members/index.js';
import { analyze } from './index.js';

// Hand-computed member tags as of 2024-06-30 with the default thresholds (window 365 days).
const PRODUCTS = ['sku,name,category_path,brand,list_price,launched_at', 'P1,Serum,Skincare > Serum,N,100.00,2024-05-20', 'P2,Wash,Body > Wash,M,20.00,2020-01-01'];
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status,discount,coupon_codes',
  'web,a0,A,2023-01-01 12:00:00,2023-01-01 12:00:00,paid,0,', // outside the window: ignored
  'web,a1,A,2024-06-01 20:10:00,2024-06-01 20:10:00,paid,0,', // Sat 20h: P1 at list price, 12 days after launch
  'web,a2,A,2024-06-08 20:30:00,2024-06-08 20:30:00,paid,0,', // Sat 20h: P1 at 80 (a discount), 19 days after launch
  'web,a3,A,2024-06-15 09:00:00,2024-06-15 09:00:00,paid,0,', // Sat 09h: 2 x P2 at list price
  'web,c1,C,2024-06-05 15:00:00,2024-06-05 15:00:00,paid,0,',
  'web,c2,C,2024-06-06 15:00:00,,created,0,', // never paid
  'web,c3,C,2024-06-07 15:00:00,,cancelled,0,', // cancelled before payment
];
const LINES = [
  'channel,order_id,line_no,sku,quantity,unit_price',
  'web,a0,1,P2,50,20.00',
  'web,a1,1,P1,1,100.00',
  'web,a2,1,P1,1,80.00',
  'web,a3,1,P2,2,20.00',
  'web,c1,1,P2,1,20.00',
  'web,c1,2,P1,1,30.00',
  'web,c2,1,P2,1,20.00',
  'web,c3,1,P2,1,20.00',
];
const RETURNS = [
  'channel,return_id,line_no,order_id,order_line_no,buyer_id,sku,quantity,amount,reason,returned_at',
  'web,r1,1,a3,1,A,P2,1,20.00,Exchange for a bigger size,2024-06-20 10:00:00',
  'web,r2,1,,,D,P2,1,10.00,,2024-06-21 10:00:00', // D has only a return
];
const EVENTS = [
  'channel,event_id,type,at,buyer_id,session_id',
  'web,e1,view,2024-06-02 20:05:00,A,s1', // Sun 20h
  'web,e2,message_opened,2024-06-03 09:30:00,A,', // Mon 09h, counts twice
  'web,e3,message_clicked,2024-06-04 09:45:00,A,', // Tue 09h, counts twice
  'web,e4,view,2024-06-10 15:00:00,B,s2', // B only browses
];

test('tags: preferences, habits and best send hour, sensitivities, browsing style and integrity, each by its rule', async () => {
  const s = await sandbox();
  try {
    for (const [name, rows] of [
      ['products', PRODUCTS],
      ['orders', ORDERS],
      ['order_lines', LINES],
      ['returns', RETURNS],
      ['events', EVENTS],
    ] as const) {
      await s.import(s.write(`${name}.csv`, rows.join('\n')));
    }
    const doc = await analyze(s.db, clock, 'tags', { asOf: '2024-06-30' });
    const tagsOf = async (ref: string): Promise<string[][]> => {
      const id = await findMember(s.db, ref);
      const rows = await s.db.all('SELECT tag, value, measure FROM member_tags WHERE member_id = $1 ORDER BY tag', [id]);
      return rows.map((r) => [String(r['tag']), String(r['value']), String(r['measure'])]);
    };
    // A: spend in the window 100 + 80 + 40 = 220. Skincare > Serum / brand N / item P1 (2 days): 180 = 0.8182.
    // Discounted 80 / 220 = 0.3636 (medium). New products (within 30 days of launch) 180 / 220 (high).
    // Activities: 20h = a1, a2, e1 (3); 09h = a3 + 2 (opened) + 2 (clicked) = 5; total 8.
    // Weekdays: Sat 3 (a1, a2, a3), Mon 2, Tue 2, Sun 1. Returned 20 / 220 = 0.0909; one exchange.
    assert.deepEqual(await tagsOf('web:A'), [
      ['best_send_hour', '9', '5 of 8'],
      ['brand_sensitivity', 'high', '0.8182'],
      ['browsing_style', 'browses and buys', 'null'],
      ['category_sensitivity', 'high', '0.8182'],
      ['hour_habit', 'morning 06-11', '0.625'],
      ['integrity', 'exchanges', 'return rate 0.0909; unpaid 0; exchanges 1'],
      ['new_product_sensitivity', 'high', '0.8182'],
      ['preferred_brand', 'N', '0.8182'],
      ['preferred_category', 'Skincare > Serum', '0.8182'],
      ['preferred_item', 'Serum', '2 days'],
      ['price_sensitivity', 'medium', '0.3636'],
      ['weekday_habit', 'Sat', '0.375'],
    ]);
    // B: one view, no purchase; too few activities, so the shop-wide busiest hour (09h: 5 against 20h: 3, 15h: 4).
    assert.deepEqual(await tagsOf('web:B'), [
      ['best_send_hour', '9', 'shop-wide (1 activities)'],
      ['browsing_style', 'browses without buying', 'null'],
    ]);
    // C: one purchase (P2 20 + P1 30, below list: discounted; P1 bought 16 days after launch), two orders left unpaid; 15h three times.
    // Top category/brand 30 / 50 = 0.6 (high); P1 bought on one day only: no preferred item.
    assert.deepEqual(await tagsOf('web:C'), [
      ['best_send_hour', '15', '3 of 3'],
      ['brand_sensitivity', 'high', '0.6'],
      ['browsing_style', 'buys without browsing', 'null'],
      ['category_sensitivity', 'high', '0.6'],
      ['hour_habit', 'afternoon 14-18', '1.0'],
      ['integrity', 'unpaid orders', 'return rate 0.0; unpaid 2; exchanges 0'],
      ['new_product_sensitivity', 'high', '0.6'],
      ['preferred_brand', 'N', '0.6'],
      ['preferred_category', 'Skincare > Serum', '0.6'],
      ['price_sensitivity', 'high', '0.6'], // P1 at 30 against a list price of 100
      ['weekday_habit', 'Wed', '0.3333'],
    ]);
    // D: a return and nothing bought.
    assert.deepEqual(await tagsOf('web:D'), [['integrity', 'high returns', 'return rate n/a; unpaid 0; exchanges 0']]);
    // The report counts members per value and prints every rule; members show carries the rule with each tag.
    const counts = doc.result['counts'] as Array<Record<string, unknown>>;
    assert.equal(counts.find((c) => c['tag'] === 'browsing_style' && c['value'] === 'browses and buys')?.['members'], '1');
    assert.ok((doc.params['rules'] as string[]).some((r) => r.startsWith('best_send_hour: ')));
    const view = await memberView(s.db, await findMember(s.db, 'web:A'));
    const send = view.tags.find((t) => t['tag'] === 'best_send_hour');
    assert.equal(send?.['value'], '9');
    assert.match(String(send?.['rule']), /most activities in the 365 days/);
  } finally {
    s.close();
  }
});
