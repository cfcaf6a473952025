import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fpGrowth, type Itemset, type WeightedBaskets } from './fpgrowth.js';
import { rulesFrom } from './rules.js';
import { atLeast, minCountOf, parseRatio } from './ratio.js';
import { Rng } from '../core/random.js';

/** Ranks baskets of letters by frequency (ties by letter) and packs them for fpGrowth. */
function pack(baskets: string[][]): { data: WeightedBaskets; names: string[] } {
  const freq = new Map<string, number>();
  for (const b of baskets) for (const x of new Set(b)) freq.set(x, (freq.get(x) ?? 0) + 1);
  const names = [...freq.keys()].sort((a, b) => (freq.get(b) ?? 0) - (freq.get(a) ?? 0) || (a < b ? -1 : 1));
  const rank = new Map(names.map((n, i) => [n, i]));
  const items: number[] = [];
  const offsets = [0];
  for (const b of baskets) {
    items.push(...[...new Set(b)].map((x) => rank.get(x) ?? 0).sort((x, y) => x - y));
    offsets.push(items.length);
  }
  return { data: { items: Int32Array.from(items), offsets: Int32Array.from(offsets), weights: new Float64Array(baskets.length).fill(1) }, names };
}

const asText = (sets: readonly Itemset[], names: readonly string[]): string[] =>
  sets
    .map(
      (s) =>
        `${s.items
          .map((i) => names[i])
          .sort()
          .join('')}:${s.count}`,
    )
    .sort();

/** Every itemset counted by brute force (independent of the tree). */
function bruteForce(baskets: string[][], minCount: number, maxLength: number): string[] {
  const all = [...new Set(baskets.flat())].sort();
  const out: string[] = [];
  const walk = (start: number, chosen: string[]): void => {
    for (let i = start; i < all.length; i++) {
      const next = [...chosen, all[i] ?? ''];
      const count = baskets.filter((b) => next.every((x) => b.includes(x))).length;
      if (count < minCount) continue;
      out.push(`${next.join('')}:${count}`);
      if (next.length < maxLength) walk(i + 1, next);
    }
  };
  walk(0, []);
  return out.sort();
}

test("FP-growth finds the frequent patterns of the paper's example (Han, Pei & Yin 2000, Table 1, minimum support 3)", () => {
  // The five transactions of Table 1 (items as letters).
  const table1 = ['facdgimp', 'abcflmo', 'bfhjo', 'bcksp', 'afcelpmn'].map((t) => t.split(''));
  const { data, names } = pack(table1);
  const found = asText(fpGrowth(data, names.length, { minCount: 3, maxLength: 10 }), names);
  // The paper's mining result (section 3): f, c, a, b, m, p and the patterns ending in m, a, c, p.
  const expected = ['f:4', 'c:4', 'a:3', 'b:3', 'm:3', 'p:3', 'cf:3', 'ac:3', 'af:3', 'acf:3', 'am:3', 'cm:3', 'fm:3', 'acm:3', 'afm:3', 'cfm:3', 'acfm:3', 'cp:3'].sort();
  assert.deepEqual(found, expected);
});

test('FP-growth equals brute-force counting on random baskets, with and without a length cap', () => {
  const rnd = new Rng('fp-growth');
  const letters = 'abcdefghijkl'.split('');
  const baskets = Array.from({ length: 300 }, () => letters.filter((_, i) => rnd.next() < 0.45 - i * 0.03));
  for (const [minCount, maxLength] of [
    [20, 10],
    [35, 10],
    [20, 2],
    [60, 3],
  ] as const) {
    const { data, names } = pack(baskets);
    assert.deepEqual(asText(fpGrowth(data, names.length, { minCount, maxLength }), names), bruteForce(baskets, minCount, maxLength), `min ${minCount}, max ${maxLength}`);
  }
});

test('FP-growth equals brute-force counting over 60 items and 2,000 baskets (deep trees, many child-table collisions)', () => {
  const rnd = new Rng('fp-growth-wide');
  const names = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x4e00 + i));
  const baskets = Array.from({ length: 2000 }, () => names.filter((_, i) => rnd.next() < 0.3 / (1 + i / 8)));
  const { data, names: ranked } = pack(baskets);
  assert.deepEqual(asText(fpGrowth(data, ranked.length, { minCount: 25, maxLength: 5 }), ranked), bruteForce(baskets, 25, 5));
});

test('weights count a basket as many times as it occurs', () => {
  const once = pack([['a', 'b'], ['a', 'b'], ['a', 'b'], ['a'], ['b', 'c']]);
  const weighted: WeightedBaskets = { items: Int32Array.from([0, 1, 0, 1, 2]), offsets: Int32Array.from([0, 2, 3, 5]), weights: Float64Array.from([3, 1, 1]) };
  assert.deepEqual(once.names, ['a', 'b', 'c']);
  assert.deepEqual(asText(fpGrowth(weighted, 3, { minCount: 1, maxLength: 5 }), once.names), asText(fpGrowth(once.data, 3, { minCount: 1, maxLength: 5 }), once.names));
});

test('thresholds are exact fractions: inclusive, decided on counts', () => {
  const r = parseRatio('0.001');
  assert.ok(r !== null);
  assert.equal(minCountOf(9835, r), 10, '9.835 baskets round up to 10');
  assert.equal(minCountOf(1000, r), 1, 'exactly 1 basket of 1000 is enough (inclusive)');
  const half = parseRatio('.5');
  assert.ok(half !== null);
  assert.equal(atLeast(10, 20, half), true, 'confidence exactly 0.5 passes 0.5');
  assert.equal(atLeast(9, 19, half), false);
  assert.equal(parseRatio('1e-3'), null);
  assert.equal(parseRatio('-0.1'), null);
  // 0.1 + 0.2 is not 0.3 in floating point; as fractions it is.
  const x = parseRatio('0.3');
  assert.ok(x !== null);
  assert.equal(atLeast(3, 10, x), true);
});

test('rules: one item on the right, confidence and lift on counts, min length 1 allows an empty left side', () => {
  // a:4 b:3 ab:3 over 5 baskets (ranks a=0, b=1).
  const itemsets = [
    { items: [0], count: 4 },
    { items: [1], count: 3 },
    { items: [0, 1], count: 3 },
  ];
  const t = (conf: string, lift: string, minLength: number) => {
    const c = parseRatio(conf);
    const l = parseRatio(lift);
    assert.ok(c !== null && l !== null);
    return { minConfidence: c, minLift: l, minLength, maxLength: 10 };
  };
  const two = rulesFrom(itemsets, 5, [4, 3], t('0.75', '0', 2)).map((r) => `${r.antecedent.join('')}>${r.consequent}`);
  assert.deepEqual(two.sort(), ['0>1', '1>0'], 'a=>b has confidence 3/4 (inclusive), b=>a 3/3');
  assert.deepEqual(
    rulesFrom(itemsets, 5, [4, 3], t('0.8', '0', 2)).map((r) => r.antecedent.join('')),
    ['1'],
    'a=>b (0.75) falls below 0.8',
  );
  // lift of a=>b = 3 x 5 / (4 x 3) = 1.25
  assert.equal(rulesFrom(itemsets, 5, [4, 3], t('0', '1.25', 2)).length, 2);
  assert.equal(rulesFrom(itemsets, 5, [4, 3], t('0', '1.2501', 2)).length, 0);
  const withEmpty = rulesFrom(itemsets, 5, [4, 3], t('0.6', '0', 1)).map((r) => `${r.antecedent.join('')}>${r.consequent}`);
  assert.deepEqual(withEmpty.sort(), ['0>1', '1>0', '>0', '>1'], '{} => a has confidence 4/5, {} => b 3/5 (inclusive)');
  assert.equal(rulesFrom(itemsets, 5, [4, 3], t('0.61', '0', 1)).filter((r) => r.antecedent.length === 0).length, 1);
});
