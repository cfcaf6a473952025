#!/usr/bin/env node
// Association rules benchmark: FP-growth in the rules report against an independent Apriori in
// Python with numpy (bench/apriori_baseline.py), on the same baskets in the same run.
//   node bench/rules.js [--members 400000] [--support 0.001] [--confidence 0.1] [--data DIR] [--python P1,P2]
// The baseline runs under every Python given (default: Debian's /usr/bin/python3, and python3 on
// the PATH when it is another interpreter), each with the numpy it imports; the version is printed.
// Generates a merchant (about 2.5 orders per member over 730 days; 400,000 members give about 1M
// orders), imports its products, orders and order lines (setup, timed apart), then prints three
// comparisons with wall and CPU time (CPU of this process includes the engine's threads):
//  - mining only: FP-growth + rules against Apriori itemsets + rules, data already in memory;
//  - from the same basket file: bench/rules_file.js (reads the file, FP-growth, rules) against
//    the baseline, each a whole process;
//  - from the store: `analyze rules` end to end against writing the basket file from the store
//    plus the baseline's run (the baseline cannot read the store, so it is given that cost);
// and bought-together for the item in most baskets: from the pair counts the report stored
// against computed per request.
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
import { dropBaskets, prepareBaskets, readBaskets } from '../dist/products/associations.js';
import { boughtTogether, storedBoughtTogether } from '../dist/products/index.js';
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
// CPU seconds of this process since c, the engine's threads included.
const cpuSecs = (c) => {
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1e6;
};
const SQL = namedStatements(sqlFile(new URL('../dist/products/associations.js', import.meta.url).href, 'baskets.sql'));

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

  // 1. Regulars from the store: the whole report (baskets read from the member base, FP-growth,
  // rules, the result stored), not stored before.
  await db.run("DELETE FROM analysis_results WHERE report = 'rules'");
  let t = performance.now();
  let c = process.cpuUsage();
  const doc = await analyze(db, clock, 'rules', { asOf, rules: { min_support: support, min_confidence: confidence } });
  const ours = { wall: secs(t), cpu: cpuSecs(c) };
  const r = doc.result;

  // Bought-together for the item in most baskets over the report's window (all history): from
  // the pair counts the report stored, and computed per request.
  const top = String((await db.one('SELECT item FROM item_counts ORDER BY baskets DESC, item LIMIT 1'))?.item);
  t = performance.now();
  c = process.cpuUsage();
  const storedTogether = await storedBoughtTogether(db, top, {});
  const lookup = { wall: secs(t), cpu: cpuSecs(c) };
  t = performance.now();
  c = process.cpuUsage();
  const computedTogether = await boughtTogether(db, top, { from: '1900-01-01', to: asOf });
  const perRequest = { wall: secs(t), cpu: cpuSecs(c) };

  // 2. The same baskets written one per line for the file-based runs (item keys: SKUs); timed,
  // as the extraction the baseline would need from the store.
  const basketsFile = join(work, 'baskets.csv');
  t = performance.now();
  c = process.cpuUsage();
  await prepareBaskets(db, asOf, { from: null, basket: 'order', level: 'item' });
  await db.run(
    `COPY (SELECT string_agg(k.item, ',') FROM _basket_items b JOIN (SELECT DISTINCT id, item FROM _basket_keys) k ON k.id = b.item GROUP BY b.basket) TO '${basketsFile.replace(/'/g, "''")}' (HEADER false, QUOTE '')`,
  );
  const extract = { wall: secs(t), cpu: cpuSecs(c) };

  // 3. The mining alone, in memory (as the baseline's itemsets + rules): FP-growth and the rules
  // over the weighted baskets the report reads.
  await db.run(SQL('frequent_items'), [r.min_count]);
  const single = (await db.all(SQL('item_labels'), ['item'])).map((x) => Number(x.n));
  const weighted = await readBaskets(db);
  t = performance.now();
  c = process.cpuUsage();
  const sets = fpGrowth(weighted, single.length, { minCount: r.min_count, maxLength: 10 });
  const mined = rulesFrom(sets, r.baskets, single, { minConfidence: parseRatio(confidence), minLift: parseRatio('0'), minLength: 2, maxLength: 10 });
  const mining = secs(t);
  const miningCpu = cpuSecs(c);
  if (mined.length !== r.rule_count) throw new Error('mining alone disagrees with the report');
  await dropBaskets(db);
  db.close();

  // 4. Both from the same file, each a whole process (start-up included).
  const run = (cmd, args) => {
    const t0 = performance.now();
    const p = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = secs(t0);
    if (p.status !== 0) throw new Error(`${cmd} failed: ${p.stderr}`);
    const out = JSON.parse(p.stdout);
    return { ...out, wall, cpu: out.seconds.process_cpu };
  };
  const fromFile = run(process.execPath, [join(here, 'rules_file.js'), basketsFile, support, confidence]);
  const hasNumpy = (py) => spawnSync(py, ['-c', 'import numpy, sys; print(sys.executable)'], { encoding: 'utf8' });
  const pythons = [];
  for (const py of (arg('python', undefined) ?? '/usr/bin/python3,python3').split(',')) {
    const probe = hasNumpy(py);
    if (probe.status === 0 && !pythons.some((p) => p.exe === probe.stdout.trim())) pythons.push({ py, exe: probe.stdout.trim() });
  }
  if (pythons.length === 0) throw new Error("no Python with numpy: install Debian's python3-numpy (apt-get install python3-numpy) or name one with --python");
  const bases = pythons.map(({ py }) => run(py, [join(here, 'apriori_baseline.py'), basketsFile, support, confidence]));

  const x = (a, b) => `${(a / b).toFixed(2)}x`;
  const both = (m) => `${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU`;
  console.log(
    `\ndata: ${fmt(orders)} orders, ${fmt(lines)} product lines; ${fmt(r.baskets)} baskets (orders with product lines, not cancelled), ${fmt(r.items)} items; support ${support} (${fmt(r.min_count)} baskets), confidence ${confidence}; basket file ${(statSync(basketsFile).size / 1e6).toFixed(1)} MB`,
  );
  console.log(`result: ${fmt(r.frequent_itemsets)} frequent itemsets, ${fmt(r.rule_count)} rules, by length ${JSON.stringify(r.counts_by_length)}`);
  console.log('\nmining only (frequent itemsets + rules, data in memory; no reading, no start-up):');
  console.log(`  regulars FP-growth + rules over ${fmt(weighted.weights.length)} distinct weighted baskets   ${mining.toFixed(3)} s wall, ${miningCpu.toFixed(3)} s CPU`);
  const who = (b) => `numpy ${b.numpy} (${b.python})`;
  for (const base of bases) {
    const baseMining = { wall: base.seconds.itemsets + base.seconds.rules, cpu: base.cpu_seconds.itemsets + base.cpu_seconds.rules };
    console.log(
      `  python Apriori itemsets + rules, ${who(base)}: ${baseMining.wall.toFixed(3)} s wall, ${baseMining.cpu.toFixed(3)} s CPU; ratio python / regulars wall ${x(baseMining.wall, mining)}, CPU ${x(baseMining.cpu, miningCpu)}`,
    );
  }
  console.log('\nfrom the same basket file (each a whole process: start-up, reading the file, mining, rules):');
  const steps = (m) => `CPU read ${m.cpu_seconds.read} s, itemsets ${m.cpu_seconds.itemsets} s, rules ${m.cpu_seconds.rules} s`;
  console.log(`  node bench/rules_file.js (FP-growth)    ${both(fromFile)}  (${steps(fromFile)})`);
  for (const base of bases) {
    console.log(`  python bench/apriori_baseline.py, ${who(base)}: ${both(base)}  (${steps(base)}); ratio python / regulars wall ${x(base.wall, fromFile.wall)}, CPU ${x(base.cpu, fromFile.cpu)}`);
  }
  console.log('\nfrom the store (regulars: `analyze rules` end to end; python: the basket file written from the store, then its run):');
  console.log(`  regulars analyze rules                  ${both(ours)}`);
  for (const base of bases) {
    console.log(
      `  store -> file ${both(extract)}, + python run (${who(base)}) = ${(extract.wall + base.wall).toFixed(2)} s wall, ${(extract.cpu + base.cpu).toFixed(2)} s CPU; ratio python / regulars wall ${x(extract.wall + base.wall, ours.wall)}, CPU ${x(extract.cpu + base.cpu, ours.cpu)}`,
    );
  }
  console.log(`\nbought together with ${top} (all history, ${storedTogether.length} items shown):`);
  console.log(`  from the stored pair counts   ${both(lookup)}`);
  console.log(`  computed per request          ${both(perRequest)} (${computedTogether.length} items)  ratio ${x(perRequest.wall, lookup.wall)} wall`);
  const same = (o) => o.rule_count === r.rule_count && JSON.stringify(o.counts_by_length) === JSON.stringify(r.counts_by_length) && o.frequent_itemsets === r.frequent_itemsets;
  console.log(`\nagreement: ${bases.every(same) && same(fromFile) ? 'identical rule counts, lengths and itemset counts (report, file run, baseline)' : 'DIFFERENT'}`);
  const os = await import('node:os');
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (node)`,
  );
} finally {
  if (keep === undefined) rmSync(work, { recursive: true, force: true });
}
