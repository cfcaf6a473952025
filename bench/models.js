#!/usr/bin/env node
// Customer models at scale: fit BG/NBD and Gamma-Gamma and score every member (P(alive),
// expected purchases, next purchase date, spend, CLV, churn band, stored in DuckDB), against a
// scipy rival in the same run (bench/models_scipy.py) on the same summary data: vectorised numpy
// likelihoods with analytic gradients, scipy's BFGS, scipy.special.hyp2f1 for the expectations.
//   node bench/models.js [--members 1000000] [--seed bench] [--no-scipy]
// The members' occasions are simulated from a BG/NBD with Gamma-Gamma spend (CDNOW-like
// parameters, seeded) into a table that shadows the model_occasions view, as a refresh shadows
// its inputs; the import itself is measured by bench/import.js and not repeated here.
// What each side gets:
// - regulars: the occasions in DuckDB. Timed from there: it builds each member's summary in SQL,
//   reads the distinct (x, t_x, T) histories with their member counts once (the BG/NBD
//   likelihood is a weighted sum over them), fits BG/NBD on them and Gamma-Gamma on the
//   repeaters' (x, mean) rows, scores each distinct history and stores every member's scores.
// - scipy: the same grouped data as arrays, untimed to produce: the distinct histories with
//   counts, the repeaters' (x, mean) rows, and each member's history index and mean. It uses the
//   same savings (terms of x once per distinct x, expectations once per distinct (x, T)) and
//   keeps its scores in memory (no SQL, no write).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegulars } from '../dist/open.js';
import { Rng } from '../dist/core/random.js';
import { fixedClock } from '../dist/core/clock.js';
import { countCustomers, defaultScoreSettings, fitBgnbd, fitGammaGamma, loadFit, readHistories, readHistoryDays, readSpends, scoreHistories, scoreMembers } from '../dist/models/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const members = Number(arg('members', '1000000'));
const seed = arg('seed', 'bench');
const dir = join(ROOT, '.bench', `models-${members}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const clock = fixedClock('2026-01-01T00:00:00Z');

// --- Simulated occasions (not timed) -------------------------------------------------------
const TRUE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };
const START = '2024-01-01';
const END_DAY = 729; // calibration end: two years after the start; first occasions in year one
const rng = new Rng(seed);
const m = [];
const d = [];
const cents = [];
let t0 = Date.now();
for (let i = 0; i < members; i++) {
  const lambda = rng.gamma(TRUE.r, 1 / TRUE.alpha) / 7; // per day
  const p = rng.beta(TRUE.a, TRUE.b);
  const nu = rng.gamma(TRUE.q, 1 / TRUE.gamma);
  let day = rng.int(0, 364);
  for (let k = 0; ; k++) {
    m.push(i);
    d.push(Math.floor(day));
    cents.push(Math.max(1, Math.round(rng.gamma(TRUE.p, 1 / nu) * 100)));
    // A member drops out only after a repeat purchase (P(alive) = 1 before the first repeat).
    if (k > 0 && rng.chance(p)) break;
    day += rng.exponential(lambda);
    if (day > END_DAY + 1) break;
  }
}
const db = await openRegulars(join(dir, 'models.duckdb'));
await db.run('CREATE TABLE _sim (m INTEGER, d INTEGER, cents INTEGER)');
await db.appendInts('_sim', [m, d, cents]);
await db.run(
  `CREATE TEMP TABLE model_occasions AS
   SELECT 'B' || lpad(m::VARCHAR, 8, '0') AS member_id, DATE '${START}' + d AS day, count(*) AS orders, (sum(cents) / 100)::DECIMAL(18,4) AS value
   FROM _sim WHERE d <= ${END_DAY} GROUP BY m, d ORDER BY member_id`,
);
const occasions = Number((await db.one('SELECT count(*) AS n FROM model_occasions'))?.n);
const calibrationEnd = new Date(Date.parse(`${START}T00:00:00Z`) + END_DAY * 86_400_000).toISOString().slice(0, 10);
console.log(`data: ${fmt(members)} members, ${fmt(occasions)} occasions (simulated BG/NBD + Gamma-Gamma, seed ${seed}), calibration ends ${calibrationEnd}; setup ${secs(Date.now() - t0)}`);

// --- Regulars ------------------------------------------------------------------------------
// Wall time, and the process's CPU time (all threads: DuckDB runs its statements on both cores),
// which a machine shared with other work disturbs less.
const cpuMs = (c) => (c.user + c.system) / 1000;
const load = () => (Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) || 0).toFixed(1);
console.log(`load average before the run: ${load()} (2 cores)`);
console.log(
  "regulars gets the occasions in DuckDB and stores scores; scipy gets the distinct (x, t_x, T) histories with counts, the repeaters' (x, mean) rows and each member's history index as arrays, and keeps scores in memory",
);
// One scoring run on a database without fits: it fits BG/NBD and Gamma-Gamma for the key from
// the member summaries it builds, then scores and stores every member.
const c0 = process.cpuUsage();
t0 = Date.now();
const run = await scoreMembers(db, clock, defaultScoreSettings(calibrationEnd));
const total = Date.now() - t0;
const cpuTotal = cpuMs(process.cpuUsage(c0));
const bg = await loadFit(db, 'bgnbd', calibrationEnd, 'week');
const gg = await loadFit(db, 'gammagamma', calibrationEnd, 'week');
console.log(
  `regulars: fit BG/NBD (${bg.iterations} iterations) and Gamma-Gamma (${gg.iterations} iterations), score and store ${fmt(run.members)} members (${fmt(run.histories)} distinct histories): ${secs(total)} (cpu ${secs(cpuTotal)})`,
);
const show = (f) =>
  Object.entries(f.params)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
console.log(`  BG/NBD ${show(bg)}, LL ${bg.log_likelihood.toFixed(2)} (simulated from r 0.243, alpha 4.414, a 0.793, b 2.426)`);
console.log(`  Gamma-Gamma ${show(gg)}, LL ${gg.log_likelihood.toFixed(2)} (simulated from p 6.25, q 3.74, gamma 15.44)`);
console.log(
  `  scores: sum of expected purchases (13 weeks) ${run.expected_purchases.toFixed(2)}, CLV ${run.clv}, churn high/medium/low ${run.churn_risk.high}/${run.churn_risk.medium}/${run.churn_risk.low}`,
);

// --- Regulars on the rival's footing ----------------------------------------------------------
// The same arrays the rival gets (read untimed), then timed: both fits and the scores of every
// distinct history in memory, no SQL and no write. (The functions are warm from the run above.)
const hist = await readHistories(db, calibrationEnd, 'week');
const spends = await readSpends(db, calibrationEnd);
const customers = await countCustomers(db, calibrationEnd);
const c1 = process.cpuUsage();
t0 = Date.now();
const memBg = fitBgnbd(hist);
const memGg = fitGammaGamma(spends, customers);
const fitMs = Date.now() - t0;
const fitCpu = cpuMs(process.cpuUsage(c1));
scoreHistories(memBg, hist, defaultScoreSettings(calibrationEnd));
const memMs = Date.now() - t0;
const memCpu = cpuMs(process.cpuUsage(c1));
console.log(
  `regulars in memory from the summary arrays: BG/NBD and Gamma-Gamma fits ${secs(fitMs)} (cpu ${secs(fitCpu)}); with the scores of ${fmt(hist.x.length)} distinct histories ${secs(memMs)} (cpu ${secs(memCpu)}); LL ${memBg.log_likelihood.toFixed(2)} / ${memGg.log_likelihood.toFixed(2)}`,
);

// --- scipy rival on the same summary data --------------------------------------------------
if (!argv.includes('--no-scipy')) {
  const h = await readHistoryDays(db, calibrationEnd);
  const sp = await readSpends(db, calibrationEnd);
  const f64 = (a) => Buffer.from(Float64Array.from(a).buffer);
  writeFileSync(join(dir, 'hist.bin'), Buffer.concat([f64(h.x), f64(h.txDays.map((v) => v / 7)), f64(h.tDays.map((v) => v / 7)), f64(h.count)]));
  writeFileSync(join(dir, 'spend.bin'), Buffer.concat([f64(sp.x), f64(sp.mean)]));
  // Per member: the index of its history and its mean repeat value (NaN without one), for spend and CLV.
  const rows = [];
  await db.forEachIntChunk(
    `WITH s AS (SELECT member_id, count(*) - 1 AS x, date_diff('day', min(day), max(day)) AS tx, date_diff('day', min(day), $1::DATE) AS t,
                  CASE WHEN count(*) > 1 THEN ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DOUBLE ELSE 'NaN'::DOUBLE END AS mean
                FROM model_occasions WHERE day <= $1::DATE GROUP BY member_id),
          h AS (SELECT x, tx, t, row_number() OVER (ORDER BY x, tx, t) - 1 AS idx FROM (SELECT DISTINCT x, tx, t FROM s))
     SELECT h.idx::DOUBLE, s.mean FROM s JOIN h USING (x, tx, t)`,
    [calibrationEnd],
    (c) => rows.push(c),
  );
  const idx = rows.flatMap((c) => c[0]);
  const mean = rows.flatMap((c) => c[1]);
  writeFileSync(join(dir, 'members.bin'), Buffer.concat([f64(idx), f64(mean)]));
  const py = spawnSync('python3', [join(ROOT, 'bench', 'models_scipy.py'), dir, String(h.x.length), String(sp.x.length), String(idx.length)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`scipy rival failed: ${py.stderr}`);
  const r = JSON.parse(py.stdout);
  console.log(
    `scipy ${r.versions}: BG/NBD fit ${secs(r.bgnbd_ms)} (cpu ${secs(r.bgnbd_cpu_ms)}, ${r.bgnbd.iterations} iterations), Gamma-Gamma fit ${secs(r.gg_ms)} (cpu ${secs(r.gg_cpu_ms)}), scoring ${fmt(idx.length)} members in memory ${secs(r.score_ms)} (cpu ${secs(r.score_cpu_ms)}); total ${secs(r.total_ms)} (cpu ${secs(r.total_cpu_ms)}); load average after: ${load()}`,
  );
  console.log(
    `  BG/NBD ${Object.entries(r.bgnbd.params)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}, LL ${r.bgnbd.ll.toFixed(2)}`,
  );
  console.log(
    `  Gamma-Gamma ${Object.entries(r.gg.params)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}, LL ${r.gg.ll.toFixed(2)}`,
  );
  console.log(`  scores: sum of expected purchases (13 weeks) ${r.expected_sum.toFixed(2)}, CLV ${r.clv_sum.toFixed(4)}`);
  const maxRel = Math.max(...Object.keys(bg.params).map((k) => Math.abs(bg.params[k] / r.bgnbd.params[k] - 1)), ...Object.keys(gg.params).map((k) => Math.abs(gg.params[k] / r.gg.params[k] - 1)));
  console.log(`agreement: largest relative parameter difference ${maxRel.toExponential(2)}; expected purchases differ by ${Math.abs(run.expected_purchases - r.expected_sum).toFixed(4)}`);
  console.log(
    `ratio scipy / regulars: wall ${(r.total_ms / total).toFixed(2)}x, cpu ${(r.total_cpu_ms / cpuTotal).toFixed(2)}x (regulars end to end from occasions in DuckDB to stored scores, SQL included; scipy from the summary arrays to scores in memory)`,
  );
  const rivalFitMs = r.bgnbd_ms + r.gg_ms;
  const rivalFitCpu = r.bgnbd_cpu_ms + r.gg_cpu_ms;
  console.log(
    `ratio scipy / regulars, both from the summary arrays: fits wall ${(rivalFitMs / fitMs).toFixed(2)}x, cpu ${(rivalFitCpu / fitCpu).toFixed(2)}x; fits and scores in memory wall ${(r.total_ms / memMs).toFixed(2)}x, cpu ${(r.total_cpu_ms / memCpu).toFixed(2)}x (scipy's scores also give each member spend and CLV)`,
  );
}
db.close();
