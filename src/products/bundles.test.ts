import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox, type Sandbox } from '../testing/index.js';
import { analyze } from '../analytics/index.js';
import { countSegment, parseRule } from '../segments/index.js';
import { buildApp, createKey } from '../api/index.js';

// Six orders of six members in June 2024: A+B twice, A alone, C alone, C+D twice.
// Counts: A 3, B 2, C 3, D 2, AB 2, CD 2 over 6 baskets; lift(AB) = lift(CD) = 2 x 6 / (3 x 2) = 2.
async function scenario(): Promise<Sandbox> {
  const s = await sandbox();
  await s.import(s.write('products.csv', ['sku,name,list_price', 'A,Alpha,12.00', 'B,Beta,25.00', 'C,Gamma,8.00', 'D,Delta,5.00'].join('\n')));
  const orders = [
    ['o1', 'm1'],
    ['o2', 'm2'],
    ['o3', 'm3'],
    ['o4', 'm4'],
    ['o5', 'm5'],
    ['o6', 'm6'],
  ];
  await s.import(
    s.write('orders.csv', ['channel,order_id,buyer_id,created_at,paid_at,status', ...orders.map(([o, m], i) => `web,${o},${m},2024-06-0${i + 1} 10:00:00,2024-06-0${i + 1} 10:00:00,paid`)].join('\n')),
  );
  await s.import(
    s.write(
      'order_lines.csv',
      [
        'channel,order_id,line_no,sku,quantity,unit_price',
        'web,o1,1,A,1,10.00',
        'web,o1,2,B,1,20.00',
        'web,o2,1,A,1,10.00',
        'web,o2,2,B,1,20.00',
        'web,o3,1,A,1,10.00',
        'web,o4,1,C,1,8.00',
        'web,o5,1,C,1,8.00',
        'web,o5,2,D,1,5.00',
        'web,o6,1,C,1,6.00',
        'web,o6,2,D,1,5.00',
      ].join('\n'),
    ),
  );
  // View sessions: A with B once; A with C twice; A alone once.
  await s.import(
    s.write(
      'events.csv',
      [
        'channel,event_id,type,at,session_id,sku',
        'web,v1,view,2024-06-10 10:00:00,s1,A',
        'web,v2,view,2024-06-10 10:01:00,s1,B',
        'web,v3,view,2024-06-10 11:00:00,s2,A',
        'web,v4,view,2024-06-10 11:01:00,s2,C',
        'web,v5,view,2024-06-10 12:00:00,s3,A',
        'web,v6,view,2024-06-10 12:01:00,s3,C',
        'web,v7,view,2024-06-10 13:00:00,s4,A',
      ].join('\n'),
    ),
  );
  return s;
}

test('bundles: pairs of high lift, priced from the items, with the members who bought part of them; segment rule bundle_part', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'bundles', { asOf: '2024-06-30', rules: { min_support: '0.3', min_lift: '1.5' } });
    const b = doc.result['bundles'] as Array<Record<string, unknown>>;
    // Equal lift (2) and count (2): ordered by their SKUs.
    assert.deepEqual(
      b.map((x) => [x['skus'], x['baskets_with_all'], x['best_lift'], x['best_confidence']]),
      [
        [['A', 'B'], 2, 2, 1],
        [['C', 'D'], 2, 2, 1],
      ],
    );
    // A sold 3 x 10.00, B 2 x 20.00; C at 8, 8, 6 -> 7.3333; members: m3 bought A only; m4 C only.
    assert.deepEqual(
      [b[0]?.['list_prices'], b[0]?.['avg_prices'], b[0]?.['list_price_total'], b[0]?.['avg_price_total'], b[0]?.['members_with_part'], b[0]?.['members_with_all']],
      [['12.0000', '25.0000'], ['10.0000', '20.0000'], '37.0000', '30.0000', 1, 2],
    );
    assert.deepEqual([b[1]?.['avg_prices'], b[1]?.['avg_price_total'], b[1]?.['members_with_part'], b[1]?.['members_with_all']], [['7.3333', '5.0000'], '12.3333', 1, 2]);
    assert.deepEqual((await analyze(s.db, clock, 'bundles', { asOf: '2024-06-30', rules: { min_support: '0.3', min_lift: '2.01' } })).result['bundles'], []);
    // The audience of bundle A+B: members who bought A or B but not both.
    assert.equal(await countSegment(s.db, parseRule({ kind: 'bundle_part', skus: ['A', 'B'] }), '2024-06-30'), 1);
    assert.equal(await countSegment(s.db, parseRule({ kind: 'bundle_part', skus: ['A', 'C'] }), '2024-06-30'), 6, 'nobody bought both A and C: m1-m3 bought A, m4-m6 C');
    assert.equal(await countSegment(s.db, parseRule({ kind: 'bundle_part', skus: ['C', 'D'] }), '2024-06-30'), 1, 'm4 (C only)');
    assert.equal(await countSegment(s.db, parseRule({ kind: 'bundle_part', skus: ['A', 'B'], days: 27 }), '2024-06-30'), 0, 'in the last 27 days (06-04..06-30) nobody bought A or B');
    assert.throws(() => parseRule({ kind: 'bundle_part', skus: ['A'] }), /\$\.skus must list at least two different SKUs/);
  } finally {
    s.close();
  }
});

test('API: bought together and recommendations (co-purchase + co-view, without what the member bought)', async () => {
  const s = await scenario();
  try {
    const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
    const key = (await createKey(s.ops, clock, 'integrator', 'shop')).key;
    const headers = { authorization: `Bearer ${key}` };
    const together = await app.inject({ url: '/api/products/A/bought-together?as_of=2024-06-30&days=30', headers });
    assert.equal(together.statusCode, 200, together.body);
    // A is in 3 of 6 orders, with B in 2: confidence 2/3, lift 2 x 6 / (3 x 2) = 2.
    assert.deepEqual(together.json().items, [{ sku: 'B', name: 'Beta', baskets_together: 2, confidence: 0.6667, lift: 2 }]);
    const rec = async (body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> => {
      const r = await app.inject({ method: 'POST', url: '/api/recommendations', headers, payload: { as_of: '2024-06-30', days: 30, ...body } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items as Array<Record<string, unknown>>;
    };
    // Viewing A: B co-purchased in 2 of A's 3 orders (0.6667); C co-viewed in 2 of A's 4 sessions (0.5,
    // half weight); B's single co-view does not count (fewer than 2).
    assert.deepEqual(await rec({ viewing: ['A'] }), [
      { sku: 'B', name: 'Beta', co_purchase: 0.6667, co_view: 0, score: 0.6667 },
      { sku: 'C', name: 'Gamma', co_purchase: 0, co_view: 0.5, score: 0.25 },
    ]);
    // m1 bought A and B already: only C is left.
    assert.deepEqual(
      (await rec({ member: 'web:m1', cart: ['A'] })).map((x) => x['sku']),
      ['C'],
    );
    const analyst = (await createKey(s.ops, clock, 'analyst', 'a')).key;
    const rules = await app.inject({ url: '/api/products/rules?as_of=2024-06-30&min_support=0.3&min_confidence=0.9', headers: { authorization: `Bearer ${analyst}` } });
    assert.equal(rules.statusCode, 200, rules.body);
    assert.deepEqual(rules.json().result.counts_by_length, { '2': 2 }, 'B => A and D => C (confidence 1)');
    assert.equal((await app.inject({ url: '/api/products/rules?min_support=abc', headers: { authorization: `Bearer ${analyst}` } })).statusCode, 400);
    await app.close();
  } finally {
    s.close();
  }
});

test("rules over member-days: one member's orders of a day are one basket; guest orders stay apart", async () => {
  const s = await sandbox();
  try {
    await s.import(
      s.write(
        'orders.csv',
        [
          'channel,order_id,buyer_id,created_at,paid_at,status',
          'web,o1,m1,2024-06-01 09:00:00,2024-06-01 09:00:00,paid',
          'web,o2,m1,2024-06-01 18:00:00,2024-06-01 18:00:00,paid',
          'web,o3,m2,2024-06-02 09:00:00,2024-06-02 09:00:00,paid',
          'web,g1,,2024-06-02 10:00:00,2024-06-02 10:00:00,paid',
          'web,g2,,2024-06-02 10:05:00,2024-06-02 10:05:00,paid',
          'web,x1,m2,2024-06-02 11:00:00,,cancelled',
        ].join('\n'),
      ),
    );
    await s.import(
      s.write(
        'order_lines.csv',
        ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,A,1,1.00', 'web,o2,1,B,1,1.00', 'web,o3,1,A,1,1.00', 'web,g1,1,B,1,1.00', 'web,g2,1,A,1,1.00', 'web,x1,1,B,1,1.00'].join('\n'),
      ),
    );
    const run = (basket: 'order' | 'member-day') => analyze(s.db, clock, 'rules', { asOf: '2024-06-30', rules: { min_support: '0.25', min_confidence: '0.4', basket } });
    // Orders: {A} {B} {A} {B} {A} (the cancelled x1 is no basket): no pair.
    const orders = await run('order');
    assert.deepEqual([orders.result['baskets'], orders.result['rule_count']], [5, 0]);
    // Member-days: m1 on 06-01 {A, B}, m2 on 06-02 {A}, guests {B} and {A}: 4 baskets; A => B has
    // confidence 1/3 (below 0.4), B => A 1/2.
    const days = await run('member-day');
    assert.equal(days.result['baskets'], 4);
    assert.deepEqual(
      (days.result['rules'] as Array<Record<string, unknown>>).map((r) => [r['antecedent'], r['consequent'], r['confidence'], r['lift']]),
      [[['B'], ['A'], 0.5, (1 * 4) / (2 * 3)]],
    );
  } finally {
    s.close();
  }
});
