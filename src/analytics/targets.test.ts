import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { setSetting, checkTargets, type TargetRow } from '../core/settings/index.js';
import { analyze } from './index.js';
import { fromFixed8, readTargetsFile, targetFor } from './targets.js';
import { money } from './review.js';

// Two weeks compared: 2024-03-04..10 (base) and 2024-03-11..17 (current).
// web has visit events in both weeks; pos has none.
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,w1,A,2024-03-05 10:00:00,2024-03-05 10:00:00,paid', // base: A first buys (new), 100
  'web,w2,B,2024-03-12 10:00:00,2024-03-12 10:00:00,paid', // current: B new, 60 (Skincare) + 40 (Body)
  'web,w3,A,2024-03-13 10:00:00,2024-03-13 10:00:00,paid', // current: A returning, 50
  'web,w4,A,2024-03-14 10:00:00,2024-03-14 10:00:00,paid', // current: A returning, 30
  'pos,p1,C,2024-03-06 10:00:00,2024-03-06 10:00:00,paid', // base: C new at the till, 80
  'pos,p2,C,2024-03-15 10:00:00,2024-03-15 10:00:00,paid', // current: C returning, 90
];
const LINES = [
  'channel,order_id,line_no,sku,quantity,unit_price',
  'web,w1,1,SK1,1,100.00',
  'web,w2,1,SK1,1,60.00',
  'web,w2,2,BO1,2,20.00',
  'web,w3,1,SK1,1,50.00',
  'web,w4,1,BO1,1,30.00',
  'pos,p1,1,SK1,1,80.00',
  'pos,p2,1,XX9,1,90.00', // a product without a catalogue entry
];
const PRODUCTS = ['sku,name,category_path,brand,list_price', 'SK1,Serum,Skincare > Serum,N,100.00', 'BO1,Wash,Body > Wash,N,20.00'];
// Visits: base week 4 visitors on web (A, B, two anonymous sessions); current week 5 (A, B, three sessions; A twice).
const EVENTS = [
  'channel,event_id,type,at,buyer_id,session_id',
  'web,e1,visit,2024-03-05 09:00:00,A,s1',
  'web,e2,visit,2024-03-07 09:00:00,B,s2',
  'web,e3,visit,2024-03-08 09:00:00,,s3',
  'web,e4,visit,2024-03-09 09:00:00,,s4',
  'web,e5,visit,2024-03-12 09:00:00,B,s5',
  'web,e6,visit,2024-03-13 09:00:00,A,s6',
  'web,e7,visit,2024-03-14 09:00:00,A,s7',
  'web,e8,visit,2024-03-15 09:00:00,,s8',
  'web,e9,visit,2024-03-16 09:00:00,,s9',
  'web,e10,visit,2024-03-16 10:00:00,,s10',
];

const cents = (s: unknown): number => Math.round(Number(s) * 100);

test('KPI traffic view: visitors x conversion x orders per buyer x AOV per channel with visits; channels without visits are named', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('products.csv', PRODUCTS.join('\n')));
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    await s.import(s.write('events.csv', EVENTS.join('\n')));
    const doc = await analyze(s.db, clock, 'kpi', { from: '2024-03-11', to: '2024-03-17' });
    const traffic = (doc.result['traffic_view'] as Array<Record<string, unknown>>)[0] ?? {};
    assert.equal(traffic['against'], 'previous period');
    const branches = traffic['branches'] as Array<{ dim: string; base: Record<string, unknown>; current: Record<string, unknown>; contributions: Record<string, string> }>;
    assert.deepEqual(
      branches.map((b) => b.dim),
      ['web'],
      'only web has visit data',
    );
    const web = branches[0];
    // Base: 4 visitors, 1 buyer (A), 1 order, 100.00. Current: 5 visitors, 2 buyers, 3 orders, 180.00.
    assert.deepEqual(web?.base, { buyers: 1, orders: 1, gross: '100.0000', visitors: 4 });
    assert.deepEqual(web?.current, { buyers: 2, orders: 3, gross: '180.0000', visitors: 5 });
    // LMDI: L(180, 100) = 80 / ln 1.8 = 136.1077...; contributions L x ln(ratio) per driver.
    const l = 8000 / Math.log(1.8);
    const expect = { visitors: l * Math.log(5 / 4), conversion: l * Math.log(2 / 5 / (1 / 4)), orders_per_buyer: l * Math.log(1.5), average_order_value: l * Math.log(60 / 100) };
    for (const [k, v] of Object.entries(expect)) assert.ok(Math.abs(cents(web?.contributions[k]) - v) <= 1, `${k}: ${web?.contributions[k]} vs ${(v / 100).toFixed(4)}`);
    assert.equal(traffic['total'], '80.00');
    assert.equal(traffic['sum'], '80.00');
    const without = traffic['without_visit_data'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      without.map((w) => [w['channel'], w['gross']]),
      [['pos', '90.0000']],
    );
    assert.match(String(without[0]?.['note']), /no visit data/);
    // Summary: conversion only over channels with visits: 2 web buyers / 5 visitors.
    const summary = doc.result['summary'] as Record<string, Record<string, unknown>>;
    assert.equal(summary['current']?.['conversion'], '0.4000');
    assert.equal(summary['current']?.['visitors'], 5);
    assert.equal(summary['current']?.['buyers'], 3);
    assert.equal(summary['current']?.['gross_sales'], '270.0000');
    assert.equal(summary['previous']?.['conversion'], '0.2500');
    assert.equal(summary['current']?.['average_order_value'], '67.5000');

    // Category drill-down: Skincare 60+50 = 110 (B new, A returning); Body 40+30 = 70; XX9 has no category.
    const cat = await analyze(s.db, clock, 'kpi', { from: '2024-03-11', to: '2024-03-17', by: 'category' });
    const prev = (cat.result['comparisons'] as Array<Record<string, unknown>>)[0] ?? {};
    const rows = (prev['branches'] as Array<{ dim: string; branch: string; current: Record<string, unknown> }>).map((b) => [
      b.dim,
      b.branch,
      b.current['buyers'],
      b.current['orders'],
      b.current['gross'],
    ]);
    assert.deepEqual(rows, [
      ['(no category)', 'returning', 1, 1, '90.0000'],
      ['Body', 'new', 1, 1, '40.0000'],
      ['Body', 'returning', 1, 1, '30.0000'],
      ['Skincare', 'new', 1, 1, '60.0000'], // the base week had A and C new here: 2 buyers, 180.00
      ['Skincare', 'returning', 1, 1, '50.0000'],
    ]);
    assert.equal(prev['total'], '90.00'); // 270.00 against 180.00
    assert.equal(prev['sum'], prev['total']);
  } finally {
    s.close();
  }
});

test('targets: totals pro rata over the days covered, levels with a weekly trajectory, weakest link farthest below target', async () => {
  const rows: TargetRow[] = [
    { metric: 'gross_sales', period: 'month', start: '2024-03-01', value: '3100' },
    { metric: 'gross_sales', period: 'week', start: '2024-04-01', value: '700' },
    { metric: 'second_purchase_rate', period: 'week', start: '2024-01-01', value: '0.18', weekly_change: '0.0006' },
  ];
  assert.equal(checkTargets(rows), null);
  // 7 days of March: 3100 x 7 / 31 = 700.
  assert.equal(fromFixed8(targetFor(rows, 'gross_sales', '2024-03-11', '2024-03-17') ?? -1n), '700.0000');
  // 2024-03-30 .. 2024-04-02: 2 March days (200) + 2 April days of a 700 week (200).
  assert.equal(fromFixed8(targetFor(rows, 'gross_sales', '2024-03-30', '2024-04-02') ?? -1n), '400.0000');
  // A period running past the last target has no target.
  assert.equal(targetFor(rows, 'gross_sales', '2024-04-05', '2024-04-09'), null);
  // Trajectory: 10 whole weeks after 2024-01-01 on 2024-03-11 (day 71): 0.18 + 10 x 0.0006.
  assert.equal(fromFixed8(targetFor(rows, 'second_purchase_rate', '2024-03-11', '2024-03-11') ?? -1n), '0.1860');
  assert.equal(fromFixed8(targetFor(rows, 'second_purchase_rate', '2024-01-01', '2024-01-07') ?? -1n), '0.1800');
  assert.equal(targetFor(rows, 'second_purchase_rate', '2023-12-01', '2023-12-31'), null, 'before the first target');
  assert.match(String(checkTargets([{ metric: 'gross_sales', period: 'week', start: '2024-03-05', value: '1' }])), /Monday/);
  assert.match(String(checkTargets([{ metric: 'orders', period: 'month', start: '2024-03-01', value: '1', weekly_change: '1' }])), /rates and averages/);

  const s = await sandbox();
  try {
    const file = s.write(
      'targets.csv',
      [
        'metric,period,start,value,weekly_change',
        'payment_rate,week,2024-03-11,95%,',
        'second_purchase_rate,week,2024-01-01,18%,+0.06pt',
        'bogus,week,2024-03-11,1,',
        'orders,month,2024-03-02,10,',
      ].join('\n'),
    );
    const read = readTargetsFile(file);
    assert.deepEqual(read.rows, [
      { metric: 'payment_rate', period: 'week', start: '2024-03-11', value: '0.95' },
      { metric: 'second_purchase_rate', period: 'week', start: '2024-01-01', value: '0.18', weekly_change: '0.0006' },
    ]);
    assert.deepEqual(
      read.issues.map((i) => [i.line, i.field]),
      [
        [4, 'metric'],
        [5, 'start'],
      ],
    );

    await s.import(s.write('orders.csv', ORDERS.concat(['web,w5,B,2024-03-16 10:00:00,,created']).join('\n')));
    await s.import(s.write('order_lines.csv', LINES.concat(['web,w5,1,SK1,1,10.00']).join('\n')));
    await setSetting(s.db, clock, 'analysis.targets', read.rows);
    const links = await analyze(s.db, clock, 'links', { from: '2024-03-11', to: '2024-03-17' });
    const pay = (links.result['links'] as Array<Record<string, unknown>>).find((l) => l['link'] === '4 order to pay');
    // 4 of the 5 orders created in the week are paid: 0.8 against 0.95.
    assert.equal(pay?.['value'], '0.8000');
    assert.equal(pay?.['target'], '0.9500');
    assert.equal(pay?.['attainment'], '0.8421');
    const weakest = links.result['weakest_link'] as Record<string, unknown>;
    assert.equal(weakest['link'], '4 order to pay');
    assert.equal(weakest['by'], 'farthest below target');
    assert.ok(typeof links.params['targets'] === 'string', 'targets change the stored parameters');

    const repeat = await analyze(s.db, clock, 'repeat', { asOf: '2024-06-30', period: 'week' });
    const cohort = (repeat.result['second_purchase'] as Array<Record<string, unknown>>).find((c) => c['cohort'] === '2024-03-04');
    // The week of 2024-03-04 ends on 03-10, 9 whole weeks after 2024-01-01: 0.18 + 9 x 0.0006.
    assert.equal(cohort?.['target'], '0.1854');
    assert.equal(cohort?.['new_buyers'], '2');
    assert.equal(cohort?.['second_buyers'], '2');
  } finally {
    s.close();
  }
});

test('weekly review: one document in Markdown and HTML with the KPI tree, its decomposition, the links against target, repeat, lifecycle and movers', async () => {
  assert.equal(money('1234567.8951'), '1,234,567.90');
  assert.equal(money('-0.0040'), '0.00');
  assert.equal(money('-12.3450'), '-12.35');
  const s = await sandbox();
  try {
    await s.import(s.write('products.csv', PRODUCTS.join('\n')));
    await s.import(s.write('orders.csv', ORDERS.concat(['web,w5,B,2024-03-16 10:00:00,,created']).join('\n')));
    await s.import(s.write('order_lines.csv', LINES.concat(['web,w5,1,SK1,1,10.00']).join('\n')));
    await s.import(s.write('events.csv', EVENTS.join('\n')));
    await setSetting(s.db, clock, 'analysis.targets', [
      { metric: 'gross_sales', period: 'week', start: '2024-03-11', value: '300' },
      { metric: 'payment_rate', period: 'week', start: '2024-03-11', value: '0.95' },
    ]);
    const doc = await analyze(s.db, clock, 'review', { asOf: '2024-03-17' });
    assert.deepEqual(doc.result['period'], { from: '2024-03-11', to: '2024-03-17' }, 'the week ending on the as-of date');
    const md = String(doc.result['markdown']);
    const html = String(doc.result['html']);
    // 270.00 this week against 180.00 the week before: +50.0%; 90.0% of the 300.00 target.
    assert.match(md, /^# Weekly business review, 2024-03-11 to 2024-03-17$/m);
    assert.match(md, /Gross sales were 270\.00, \+50\.0% against the previous period .*, 90\.0% of the target of 300\.00\./);
    assert.match(md, /sales changed by \+90\.00/);
    // The driver table adds up to the change exactly.
    const driverRows = md.split('| driver | contribution |')[1]?.split('\n\n')[0]?.split('\n').slice(2) ?? [];
    const sum = driverRows.reduce((a, r) => a + Math.round(Number((r.split('|')[2] ?? '').trim().replace(/,/g, '')) * 100), 0);
    assert.equal(sum, 9000);
    assert.match(md, /Weakest link \(farthest below target\): 4 order to pay: payment rate 0\.8000 against a target of 0\.9500/);
    assert.match(md, /No visit data for pos/);
    assert.match(md, /\| web \| 4 -> 5 \| 25\.0% -> 40\.0% \|/);
    assert.match(md, /## Members by lifecycle stage/);
    // Movers by category, largest rise first: the till's uncategorised 90.00, Body 70.00, Skincare 180.00 -> 110.00.
    assert.ok(
      md.includes('| category | before | now | change |\n|---|---|---|---|\n| (no category) | 0.00 | 90.00 | +90.00 |\n| Body | 0.00 | 70.00 | +70.00 |\n| Skincare | 180.00 | 110.00 | -70.00 |'),
    );
    // The HTML says the same thing.
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<h1>Weekly business review, 2024-03-11 to 2024-03-17<\/h1>/);
    assert.match(html, /Gross sales were 270\.00, \+50\.0% against the previous period/);
    assert.equal((html.match(/<table>/g) ?? []).length, (md.match(/^\|---/gm) ?? []).length, 'one table in each for every table');
  } finally {
    s.close();
  }
});
