#!/usr/bin/env node
// The rules report's mining from a basket file, as the Python baseline starts: the same input
// (one basket per line, items comma-separated, no header), the same output (one JSON document
// with counts and times). Reads the file, numbers the items, ranks the frequent ones (most
// frequent first, then by text), mines the frequent itemsets by FP-growth and builds the rules.
// Times are of this process: wall from its start and CPU from process.cpuUsage (start-up included).
//   node bench/rules_file.js FILE MIN_SUPPORT MIN_CONFIDENCE [MIN_LENGTH] [MAX_LENGTH]
import { readFileSync } from 'node:fs';
import { fpGrowth } from '../dist/products/fpgrowth.js';
import { rulesFrom } from '../dist/products/rules.js';
import { minCountOf, parseRatio } from '../dist/products/ratio.js';

const [file, support, confidence, minLength = '2', maxLength = '10'] = process.argv.slice(2);
if (file === undefined || support === undefined || confidence === undefined) {
  console.error('usage: rules_file.js FILE MIN_SUPPORT MIN_CONFIDENCE [MIN_LENGTH] [MAX_LENGTH]');
  process.exit(2);
}
const t0 = performance.now();
const cpuAt = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const c0 = cpuAt();

// Read: each line's distinct items as numbers.
const ids = new Map();
const names = [];
const basketItems = [];
const basketStart = [0];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const seen = new Set();
  for (const raw of line.split(',')) {
    const x = raw.trim();
    if (x === '') continue;
    let id = ids.get(x);
    if (id === undefined) {
      id = names.length;
      ids.set(x, id);
      names.push(x);
    }
    if (!seen.has(id)) {
      seen.add(id);
      basketItems.push(id);
    }
  }
  if (seen.size > 0) basketStart.push(basketItems.length);
}
const baskets = basketStart.length - 1;
const t1 = performance.now();
const c1 = cpuAt();

// Frequent items, ranked; each basket's frequent items as ascending ranks, one basket per path.
const counts = new Int32Array(names.length);
for (const id of basketItems) counts[id]++;
const minCount = Math.max(1, minCountOf(baskets, parseRatio(support)));
const frequent = [...counts.keys()].filter((i) => counts[i] >= minCount).sort((a, b) => counts[b] - counts[a] || (names[a] < names[b] ? -1 : 1));
const rankOf = new Int32Array(names.length).fill(-1);
frequent.forEach((id, r) => {
  rankOf[id] = r;
});
const items = new Int32Array(basketItems.length);
const offsets = new Int32Array(baskets + 1);
let size = 0;
let paths = 0;
for (let b = 0; b < baskets; b++) {
  const from = size;
  for (let i = basketStart[b]; i < basketStart[b + 1]; i++) if (rankOf[basketItems[i]] >= 0) items[size++] = rankOf[basketItems[i]];
  if (size === from) continue;
  items.subarray(from, size).sort();
  offsets[++paths] = size;
}
const single = frequent.map((id) => counts[id]);
const sets = fpGrowth({ items: items.subarray(0, size), offsets: offsets.subarray(0, paths + 1), weights: new Float64Array(paths).fill(1) }, frequent.length, {
  minCount,
  maxLength: Number(maxLength),
});
const t2 = performance.now();
const c2 = cpuAt();
const rules = rulesFrom(sets, baskets, single, { minConfidence: parseRatio(confidence), minLift: parseRatio('0'), minLength: Number(minLength), maxLength: Number(maxLength) });
const t3 = performance.now();
const c3 = cpuAt();

const byLength = {};
for (const r of rules) byLength[String(r.antecedent.length + 1)] = (byLength[String(r.antecedent.length + 1)] ?? 0) + 1;
const cpu = process.cpuUsage();
const r3 = (ms) => Math.round(ms) / 1000;
console.log(
  JSON.stringify({
    baskets,
    items: names.length,
    min_count: minCount,
    frequent_itemsets: sets.length,
    rule_count: rules.length,
    counts_by_length: Object.fromEntries(Object.entries(byLength).sort()),
    seconds: { read: r3(t1 - t0), itemsets: r3(t2 - t1), rules: r3(t3 - t2), total: r3(t3 - t0), process_wall: r3(performance.now()), process_cpu: r3((cpu.user + cpu.system) / 1000) },
    cpu_seconds: { read: r3(c1 - c0), itemsets: r3(c2 - c1), rules: r3(c3 - c2) },
  }),
);
