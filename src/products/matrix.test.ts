import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clock, sandbox } from '../testing/index.js';
import { analyze } from '../analytics/index.js';
import { generate } from '../generate/index.js';

/**
 * June 2024 on two channels: web records product views, pos does not. Every figure below is
 * worked out by hand in the comments of the test.
 */
async function scenario(): Promise<Awaited<ReturnType<typeof sandbox>>> {
  const s = await sandbox();
  await s.import(
    s.write(
      'products.csv',
      [
        'sku,name,category_path,brand,list_price,cost',
        'A,Alpha,Cat > X,Acme,100.00,20.00',
        'B,Beta,Cat > X,Acme,100.00,80.00',
        'C,Gamma,Cat > X,Bolt,50.00,10.00',
        'D,Delta,Cat > X,Bolt,100.00,60.00',
        'E,Epsilon,Other,Bolt,30.00,',
      ].join('\n'),
    ),
  );
  await s.import(
    s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,paid_at,status',
        'web,o0,m1,2024-05-15 10:00:00,2024-05-15 10:00:00,paid',
        'web,o1,m1,2024-06-05 10:00:00,2024-06-05 10:00:00,paid',
        'web,o2,m2,2024-06-06 10:00:00,2024-06-06 10:00:00,paid',
        'web,o3,m1,2024-06-20 10:00:00,2024-06-20 10:00:00,paid',
        'web,o4,m3,2024-06-07 10:00:00,2024-06-07 10:00:00,paid',
        'web,o5,m4,2024-06-08 10:00:00,,created',
        'pos,p1,m5,2024-06-10 10:00:00,2024-06-10 10:00:00,paid',
        'pos,p2,,2024-06-11 10:00:00,2024-06-11 10:00:00,paid',
      ].join('\n'),
    ),
  );
  await s.import(
    s.write(
      'order_lines.csv',
      [
        'channel,order_id,line_no,sku,quantity,unit_price',
        'web,o0,1,A,1,100.00',
        'web,o1,1,A,1,100.00',
        'web,o1,2,B,1,100.00',
        'web,o2,1,A,1,100.00',
        'web,o3,1,A,2,90.00',
        'web,o4,1,C,1,50.00',
        'web,o5,1,B,1,100.00', // never paid: not a purchase
        'pos,p1,1,D,1,100.00',
        'pos,p2,1,D,1,100.00',
        'pos,p2,2,E,1,30.00',
      ].join('\n'),
    ),
  );
  await s.import(
    s.write(
      'events.csv',
      [
        'channel,event_id,type,at,buyer_id,session_id,sku',
        ...['m1', 'm2', 'm3', 'm4'].map((m, i) => `web,va${i},view,2024-06-0${i + 1} 09:00:00,${m},,A`),
        'web,va9,view,2024-06-02 09:30:00,m1,,A', // a second view by m1: still one viewer
        ...['m1', 'm2', 'm3'].map((m, i) => `web,vb${i},view,2024-06-0${i + 1} 09:05:00,${m},,B`),
        'web,vc0,view,2024-06-07 09:00:00,m3,,C',
        'web,vd0,view,2024-06-09 09:00:00,,s1,D', // an anonymous session
      ].join('\n'),
    ),
  );
  return s;
}

test('product matrix: traffic, conversion, margin, new buyers, repeat rate, price position, classes at the medians, moves', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'matrix', { from: '2024-06-01', to: '2024-06-30' });
    const r = doc.result;
    const rows = new Map((r['products'] as Array<Record<string, unknown>>).map((p) => [String(p['sku']), p]));
    const pick = (sku: string, keys: string[]): unknown[] => keys.map((k) => rows.get(sku)?.[k]);
    const keys = ['traffic', 'viewers', 'buyers', 'conversion', 'units', 'sales', 'gross_margin', 'gross_margin_rate', 'new_buyer_share', 'repeat_rate', 'avg_price', 'price_percentile', 'class'];
    // A: viewers m1..m4 (4); buyers m1, m2 on web; 1 + 1 + 2 units = 380.00, cost 4 x 20 = 80,
    // margin 300 (rate 300/380 = 0.7895); m2's first occasion ever holds A (m1 bought in May): 1/2;
    // m1 bought A on two days: 1/2; 380 / 4 = 95, second cheapest of four in Cat > X: 1/3.
    assert.deepEqual(pick('A', keys), [4, 4, 2, 0.5, 4, '380.0000', '300.0000', 0.7895, 0.5, 0.5, '95.0000', 0.3333, 'profit_maker']);
    // B: 3 viewers, 1 buyer (o5 was never paid); margin 20 of 100.
    assert.deepEqual(pick('B', keys), [3, 3, 1, 0.3333, 1, '100.0000', '20.0000', 0.2, 0, 0, '100.0000', 0.6667, 'traffic_driver']);
    // C: 1 viewer who bought; m3's first occasion: new.
    assert.deepEqual(pick('C', keys), [1, 1, 1, 1, 1, '50.0000', '40.0000', 0.8, 1, 0, '50.0000', 0, 'potential']);
    // D: one anonymous viewer on web, two buyers on pos (no views there) count as traffic: 3;
    // conversion on web 0 / 1; margin 200 - 120.
    assert.deepEqual(pick('D', keys), [3, 1, 2, 0, 2, '200.0000', '80.0000', 0.4, 1, 0, '100.0000', 0.6667, 'traffic_driver']);
    // E: no cost, no class; alone in its category.
    assert.deepEqual(pick('E', keys), [1, 0, 1, null, 1, '30.0000', null, null, null, null, '30.0000', 0, null]);
    // Medians: traffic 1, 1, 3, 3, 4 -> 3; margin rates 0.2, 0.4, 0.7895, 0.8 -> 0.5947.
    assert.deepEqual(r['splits'], { traffic_split: 3, margin_rate_split: 0.5947, products: 5, traffic_driver: 2, profit_maker: 1, potential: 1, marginal: 0, unclassified: 1 });
    assert.deepEqual(r['channels_without_views'], [{ channel: 'pos', note: 'no product views recorded in the period: its buyers count as its traffic, and it has no conversion rate' }]);
    // May (05-02..05-31): only A, bought on web without views there: alone, high and high.
    assert.deepEqual(r['previous_period'], { from: '2024-05-02', to: '2024-05-31' });
    assert.equal(rows.get('A')?.['previous_class'], 'profit_maker');
    assert.deepEqual(r['movement'], [
      { from_class: 'none', to_class: 'none', products: 1 },
      { from_class: 'none', to_class: 'potential', products: 1 },
      { from_class: 'none', to_class: 'traffic_driver', products: 2 },
      { from_class: 'profit_maker', to_class: 'profit_maker', products: 1 },
    ]);
    // Splits given: traffic 4 and margin rate 0.5 make B and D marginal, C a potential, A a profit maker.
    const fixed = await analyze(s.db, clock, 'matrix', { from: '2024-06-01', to: '2024-06-30', matrix: { traffic_split: '4', margin_split: '0.5' } });
    const classes = Object.fromEntries((fixed.result['products'] as Array<Record<string, unknown>>).map((p) => [p['sku'], p['class']]));
    assert.deepEqual(classes, { A: 'profit_maker', B: 'marginal', C: 'potential', D: 'marginal', E: null });
    assert.ok((fixed.params['rules'] as string[]).some((x) => x.includes('split at 4') && x.includes('split at 0.5')));
  } finally {
    s.close();
  }
});

test('rules at category and brand level over the same orders (baskets need no payment, only not cancelled)', async () => {
  const s = await scenario();
  try {
    // Baskets to 2024-06-30: o0-o5 (o5 unpaid but not cancelled), p1, p2 = 8; categories:
    // 'Cat > X' in all 8, 'Other' in p2 only: Other => Cat > X (confidence 1) and the reverse (1/8).
    const cat = await analyze(s.db, clock, 'rules', { asOf: '2024-06-30', rules: { min_support: '0.1', min_confidence: '0.1', level: 'category' } });
    assert.equal(cat.result['baskets'], 8);
    const rules = (cat.result['rules'] as Array<Record<string, unknown>>).map((r) => [r['antecedent'], r['consequent'], r['confidence'], r['lift']]);
    assert.deepEqual(rules, [
      [['Other'], ['Cat > X'], 1, 1],
      [['Cat > X'], ['Other'], 0.125, 1],
    ]);
    // Brands: Acme (A, B) and Bolt (C, D, E) never share an order.
    const brand = await analyze(s.db, clock, 'rules', { asOf: '2024-06-30', rules: { min_support: '0.1', min_confidence: '0', level: 'brand' } });
    assert.equal(brand.result['rule_count'], 0);
    assert.equal(brand.result['frequent_items'], 2);
  } finally {
    s.close();
  }
});

test('customer coverage: share of buyers, of each lifecycle stage and RFM group as of the date', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'coverage', { asOf: '2024-06-30' });
    const a = (doc.result['products'] as Array<Record<string, unknown>>).find((p) => p['sku'] === 'A');
    // Member buyers in the 365 days: m1, m2, m3, m5; A: m1, m2.
    assert.equal(a?.['buyers'], 2);
    assert.equal(a?.['buyer_share'], 0.5);
    // Stages on 2024-06-30: m1 Regular (3 occasions, first on 05-15, before the New window
    // 05-17..06-30), m2, m3, m5 New, m4 Prospect (a view, no purchase).
    assert.deepEqual(a?.['stage_share'], [
      { key: 'New', share: 0.3333 },
      { key: 'Regular', share: 1 },
    ]);
    // RFM groups against the stored scores, counted independently.
    const truth = await s.db.all(
      `SELECT segment AS key, round(count(*) FILTER (WHERE member_id IN (SELECT member_id FROM identities WHERE value IN ('m1', 'm2'))) / count(*), 4) AS share
       FROM member_rfm WHERE as_of = DATE '2024-06-30' GROUP BY segment HAVING share > 0 ORDER BY segment`,
    );
    assert.ok(truth.length > 0);
    assert.deepEqual(a?.['rfm_group_share'], truth);
  } finally {
    s.close();
  }
});

test('product matrix and coverage on generated demo data: sales add up, classes follow the splits, shares match a count', async () => {
  const s = await sandbox();
  try {
    const g = await generate({ members: 1200, days: 500, seed: 'matrix', out: join(s.dir, 'gen'), start: '2023-01-01' });
    for (const stem of ['products', 'orders', 'order_lines', 'events']) await s.import(g.files[stem]?.path ?? '');
    const doc = await analyze(s.db, clock, 'matrix', { from: '2024-03-01', to: '2024-04-30' });
    const rows = doc.result['products'] as Array<Record<string, unknown>>;
    assert.ok(rows.length > 20);
    const units = (v: unknown): bigint => BigInt(String(v).replace('.', ''));
    const total = rows.reduce((a, p) => a + units(p['sales']), 0n);
    const truth = await s.db.one(
      `SELECT sum(l.amount)::VARCHAR AS v FROM order_values o JOIN order_lines l USING (channel_id, order_id)
       WHERE o.is_purchase AND l.line_type = 'product' AND o.created_at >= DATE '2024-03-01' AND o.created_at < DATE '2024-05-01'`,
    );
    assert.equal(total, units(truth?.['v']), "the products' sales add up to the product value of the period's purchases");
    const splits = doc.result['splits'] as Record<string, number>;
    for (const p of rows) {
      const rate = p['gross_margin_rate'];
      if (typeof rate !== 'number') continue;
      const high = Number(p['traffic']) >= Number(splits['traffic_split']);
      // The rate is rounded to 4 places in the row; the split too: skip values at the split.
      if (Math.abs(rate - Number(splits['margin_rate_split'])) < 0.0001) continue;
      const rich = rate >= Number(splits['margin_rate_split']);
      assert.equal(p['class'], high ? (rich ? 'profit_maker' : 'traffic_driver') : rich ? 'potential' : 'marginal', String(p['sku']));
    }
    const counted = ['traffic_driver', 'profit_maker', 'potential', 'marginal', 'unclassified'].reduce((a, k) => a + Number(splits[k]), 0);
    assert.equal(counted, rows.length);
    const cov = await analyze(s.db, clock, 'coverage', { asOf: '2024-04-30' });
    const top = (cov.result['products'] as Array<Record<string, unknown>>)[0];
    const n = await s.db.one(
      `SELECT count(DISTINCT o.member_id) FILTER (WHERE l.sku = $1) / count(DISTINCT o.member_id) AS share
       FROM order_values o JOIN order_lines l USING (channel_id, order_id)
       WHERE o.is_purchase AND o.member_id IS NOT NULL AND l.line_type = 'product' AND o.created_at >= DATE '2023-05-02' AND o.created_at < DATE '2024-05-01'`,
      [String(top?.['sku'])],
    );
    assert.equal(top?.['buyer_share'], Math.round(Number(n?.['share']) * 10000) / 10000);
  } finally {
    s.close();
  }
});
