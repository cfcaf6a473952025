import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox, type Sandbox } from '../testing/index.js';
import { analyze } from '../analytics/index.js';
import { buildApp, createKey } from '../api/index.js';
import { associationRules, RULE_DEFAULTS } from './associations.js';
import { MIN_TOGETHER, storedBoughtTogether, storedWindow } from './pairs.js';
import { textOrder } from './rules.js';

const SKUS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];

// 300 orders of 40 members in 2024 with one to four items each, drawn by a fixed linear
// congruential generator (A and B often together, then C with D); every tenth order is cancelled.
async function scenario(): Promise<Sandbox> {
  const s = await sandbox();
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 8) % n;
  };
  const orders: string[] = [];
  const lines: string[] = [];
  for (let o = 1; o <= 300; o++) {
    const day = String(1 + (o % 28)).padStart(2, '0');
    const month = String(1 + (o % 12)).padStart(2, '0');
    const cancelled = o % 10 === 0;
    orders.push(`web,o${o},m${1 + next(40)},2024-${month}-${day} 10:00:00,${cancelled ? '' : `2024-${month}-${day} 10:00:00`},${cancelled ? 'cancelled' : 'paid'}`);
    const items = new Set<string>();
    if (next(3) === 0) items.add('A').add('B');
    if (next(4) === 0) items.add('C').add('D');
    for (let k = next(3); k >= 0; k--) items.add(SKUS[next(SKUS.length)] ?? 'A');
    let line = 1;
    for (const sku of items) lines.push(`web,o${o},${line++},${sku},1,${1 + next(9)}.00`);
  }
  await s.import(s.write('products.csv', ['sku,name,list_price', ...SKUS.map((x) => `${x},Item ${x},10.00`)].join('\n')));
  await s.import(s.write('orders.csv', ['channel,order_id,buyer_id,created_at,paid_at,status', ...orders].join('\n')));
  await s.import(s.write('order_lines.csv', ['channel,order_id,line_no,sku,quantity,unit_price', ...lines].join('\n')));
  return s;
}

test('stored co-occurrence: a rules run keeps pair counts; bought together from them equals the rules X => y computed on the fly', async () => {
  const s = await scenario();
  try {
    assert.equal(await storedWindow(s.db), null, 'nothing stored before a rules run');
    const doc = await analyze(s.db, clock, 'rules', { asOf: '2024-12-31', rules: { min_support: '0.05', min_confidence: '0.3' } });
    const window = await storedWindow(s.db);
    assert.deepEqual(window, { from: null, to: '2024-12-31', baskets: doc.result['baskets'], minTogether: MIN_TOGETHER });
    assert.equal(window?.baskets, 270, '300 orders less the 30 cancelled');

    // Every pair rule over the same baskets, computed on the fly (not stored): support of one
    // basket, any confidence, length 2.
    const all = await associationRules(s.db, '2024-12-31', { ...RULE_DEFAULTS, min_support: '0.001', min_confidence: '0', max_length: 2, limit: 1_000_000 });
    assert.equal(all.baskets, 270);
    let compared = 0;
    for (const x of SKUS) {
      const stored = await storedBoughtTogether(s.db, x, { limit: 100 });
      const expected = all.rules
        .filter((r) => r.antecedent_keys[0] === x && r.count >= MIN_TOGETHER)
        .sort((a, b) => b.count - a.count || a.consequent_count - b.consequent_count || textOrder(a.consequent_keys[0] ?? '', b.consequent_keys[0] ?? ''));
      assert.ok(expected.length > 0, `${x} has pairs`);
      assert.deepEqual(
        stored.map((r) => [r['sku'], r['baskets_together']]),
        expected.map((r) => [r.consequent_keys[0], r.count]),
        `bought together with ${x}`,
      );
      stored.forEach((r, i) => {
        const e = expected[i];
        assert.ok(e !== undefined);
        assert.ok(Math.abs(Number(r['confidence']) - e.confidence) <= 0.00005, `confidence ${x} => ${String(r['sku'])}`);
        assert.ok(Math.abs(Number(r['lift']) - e.lift) <= 0.00005, `lift ${x} => ${String(r['sku'])}`);
      });
      compared += stored.length;
    }
    assert.ok(compared > 20, `compared ${compared} pairs`);

    // The API answers from the stored counts when no window is asked for, or the stored one is.
    const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
    const key = (await createKey(s.ops, clock, 'integrator', 'shop')).key;
    const headers = { authorization: `Bearer ${key}` };
    const fromStore = await app.inject({ url: '/api/products/A/bought-together?limit=3', headers });
    assert.equal(fromStore.statusCode, 200, fromStore.body);
    assert.equal(fromStore.json().source, 'stored');
    assert.deepEqual(fromStore.json().window, { from: null, to: '2024-12-31' });
    assert.deepEqual(fromStore.json().items, (await storedBoughtTogether(s.db, 'A', { limit: 3 })).slice(0, 3));
    assert.equal(fromStore.json().items[0].sku, 'B', 'A and B are drawn together');
    const asked = await app.inject({ url: '/api/products/A/bought-together?as_of=2024-12-31&days=30', headers });
    assert.equal(asked.json().source, 'computed', 'another window is computed per request');

    // An import makes the counts out of date: requests are computed again until the next rules run.
    await s.import(s.write('orders.csv', ['channel,order_id,buyer_id,created_at,paid_at,status', 'web,z1,m1,2024-12-30 10:00:00,2024-12-30 10:00:00,paid'].join('\n')));
    assert.equal(await storedWindow(s.db), null, 'an import makes the stored counts out of date');
    const after = await app.inject({ url: '/api/products/A/bought-together?limit=3', headers });
    assert.equal(after.json().source, 'computed');
    await app.close();
  } finally {
    s.close();
  }
});
