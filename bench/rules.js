#!/usr/bin/env node
// Association rules benchmark: FP-growth in the rules report against an independent Apriori in
// Python with numpy (bench/apriori_baseline.py), on the same baskets in the same run.
//   node bench/rules.js [--members 400000] [--support 0.001] [--confidence 0.1] [--data DIR]
// Generates a merchant (about 2.5 orders per member over 730 days), imports its products, orders
// and order lines (setup, timed apart), runs `analyze rules` on every order as a basket, writes
// the same baskets one per line for the baseline, and prints both times, their ratio and whether
// the two agree on the rules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegulars } from '../dist/open.js';
import { importFile } from '../dist/ingest/index.js';
import { analyze } from '../dist/analytics/index.js';
import { fixedClock } from '../dist/core/clock.js';
import { namedStatements, sqlFile } from '../dist/core/db/index.js';
import { fpGrowth } from '../dist/products/fpgrowth.js';
import { rulesFrom } from '../dist/products/rules.js';
import { parseRatio } from '../dist/products/ratio.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const members = arg('members', '400000');
const support = arg('support', '0.001');
const confidence = arg('confidence', '0.1');
const keep = arg('data', undefined);
const work = keep ?? mkdtempSync(join(tmpdir(), 'regulars-bench-rules-'));
const clock = fixedClock('2026-12-31T00:00:00Z');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (t) => (performance.now() - t) / 1000;

try {
  const gen = join(work, 'gen');
  const dbFile = join(work, 'rules.duckdb');
  if (!existsSync(dbFile)) {
    let t = performance.now();
    const g = spawnSync(
      process.execPath,
      [join(here, '..', 'bin', 'regulars.js'), 'generate', '--members', members, '--days', '730', '--seed', '1', '--out', gen, '--only', 'products,orders,order_lines'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (g.status !== 0) throw new Error('generate failed');
    console.log(`setup: generated ${members} members in ${secs(t).toFixed(1)} s`);
    const db = await openRegulars(dbFile);
    for (const f of ['products', 'orders', 'order_lines']) {
      t = performance.now();
      const r = await importFile(db, clock, join(gen, `${f}.csv`), { rejectsDir: join(work, 'rejects') });
      console.log(`setup: imported ${f}: ${fmt(r.rows_read)} rows in ${secs(t).toFixed(1)} s`);
    }
    db.close();
  }
  const db = await openRegulars(dbFile);
  const orders = Number((await db.one('SELECT count(*) AS n FROM orders'))?.n);
  const lines = Number((await db.one("SELECT count(*) AS n FROM order_lines WHERE line_type = 'product'"))?.n);
  const asOf = String((await db.one("SELECT strftime(max(created_at), '%Y-%m-%d') AS d FROM orders"))?.d);

  // Regulars: the whole report (baskets read from the store, FP-growth, rules), not stored before.
  await db.run("DELETE FROM analysis_results WHERE report = 'rules'");
  let t = performance.now();
  const doc = await analyze(db, clock, 'rules', { asOf, rules: { min_support: support, min_confidence: confidence } });
  const ours = secs(t);
  const r = doc.result;

  // The same baskets for the baseline, one per line (item keys: SKUs).
  const basketsFile = join(work, 'baskets.csv');
  const SQL = namedStatements(sqlFile(new URL('../dist/products/associations.js', import.meta.url).href, 'baskets.sql'));
  await db.run(SQL('basket_orders'), [null, asOf, 'order']);
  await db.run(SQL('basket_items'), ['item']);
  await db.run(`COPY (SELECT string_agg(item, ',') FROM _basket_items GROUP BY basket) TO '${basketsFile.replace(/'/g, "''")}' (HEADER false, QUOTE '')`);

  // The mining alone (in memory, as the baseline's itemsets + rules): FP-growth and the rules
  // over the weighted baskets the report reads.
  await db.run(SQL('frequent_items'), [r.min_count]);
  const single = (await db.all(SQL('item_labels'), ['item'])).map((x) => Number(x.n));
  const ids = [];
  const ranks = [];
  const ws = [];
  await db.forEachIntChunk(SQL('weighted_baskets'), [], ([b, k, w]) => {
    for (let i = 0; i < b.length; i++) ids.push(b[i]), ranks.push(k[i]), ws.push(w[i]);
  });
  const offsets = [0];
  const weights = [];
  for (let i = 1; i <= ids.length; i++) {
    if (i === ids.length || ids[i] !== ids[i - 1]) {
      ranks.splice(offsets.at(-1), i - offsets.at(-1), ...ranks.slice(offsets.at(-1), i).sort((x, y) => x - y));
      offsets.push(i);
      weights.push(ws[i - 1]);
    }
  }
  t = performance.now();
  const sets = fpGrowth({ items: Int32Array.from(ranks), offsets: Int32Array.from(offsets), weights: Float64Array.from(weights) }, single.length, { minCount: r.min_count, maxLength: 10 });
  const mined = rulesFrom(sets, r.baskets, single, { minConfidence: parseRatio(confidence), minLift: parseRatio('0'), minLength: 2, maxLength: 10 });
  const mining = secs(t);
  if (mined.length !== r.rule_count) throw new Error('mining alone disagrees with the report');
  await db.run('DROP TABLE _basket_items');
  await db.run('DROP TABLE _basket_orders');
  db.close();

  t = performance.now();
  const py = spawnSync('python3', [join(here, 'apriori_baseline.py'), basketsFile, support, confidence], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const theirs = secs(t);
  if (py.status !== 0) throw new Error(`baseline failed: ${py.stderr}`);
  const base = JSON.parse(py.stdout);

  console.log(
    `\nbaskets: ${fmt(r.baskets)} orders with product lines (of ${fmt(orders)} orders, ${fmt(lines)} product lines), ${fmt(r.items)} items; support ${support} (${fmt(r.min_count)} baskets), confidence ${confidence}; file ${(statSync(basketsFile).size / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `  regulars analyze rules (FP-growth)  ${ours.toFixed(2)} s  (${fmt(r.frequent_itemsets)} frequent itemsets, ${fmt(r.rule_count)} rules, by length ${JSON.stringify(r.counts_by_length)})`,
  );
  console.log(
    `  python numpy Apriori                ${theirs.toFixed(2)} s  (read ${base.seconds.read} s, itemsets ${base.seconds.itemsets} s, rules ${base.seconds.rules} s; ${fmt(base.frequent_itemsets)} itemsets, ${fmt(base.rule_count)} rules, by length ${JSON.stringify(base.counts_by_length)})`,
  );
  console.log(`  ratio (python / regulars), whole runs                    ${(theirs / ours).toFixed(2)}x`);
  console.log(
    `  mining alone: FP-growth + rules ${mining.toFixed(3)} s (${fmt(weights.length)} distinct baskets) against Apriori itemsets + rules ${(base.seconds.itemsets + base.seconds.rules).toFixed(3)} s -> ${((base.seconds.itemsets + base.seconds.rules) / mining).toFixed(2)}x`,
  );
  const agree = base.rule_count === r.rule_count && JSON.stringify(base.counts_by_length) === JSON.stringify(r.counts_by_length) && base.frequent_itemsets === r.frequent_itemsets;
  console.log(`  agreement: ${agree ? 'identical rule counts, lengths and itemset counts' : 'DIFFERENT'}`);
  console.log(
    `  load average at the end: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
  );
  console.log(`  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (node)`);
} finally {
  if (keep === undefined) rmSync(work, { recursive: true, force: true });
}
