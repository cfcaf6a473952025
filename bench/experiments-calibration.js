#!/usr/bin/env node
// Calibration of the experiment statistics (src/stats) by simulation: A/A campaigns (no
// effect) must come out significant 5% of the time, and a known uplift must fall inside the
// 95% interval 95% of the time. 1,000 seeded replays per cell: the same figures on every run.
//
// Members have lasting, different purchase propensities: p_i = 3% x g_i with g_i ~ Gamma(0.5, 2)
// (mean 1), so the response rate is 3% but a few members buy far more often than others. A
// responder spends a log-normal amount (median 40, sigma 1.2). The pre-period (180 days, six
// attribution windows) draws Poisson(6 p_i) purchases of the same spend: CUPED's covariates.
// 10% of members are the control group. Known uplift: +1 point of response for treated members.
//
//   node bench/experiments-calibration.js [--replays 1000] [--cells 500,2000,...]
import { evaluateColumns } from '../dist/stats/index.js';
import { normalCdf, normalQuantile } from '../dist/stats/index.js';
import { Rng } from '../dist/core/random.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const REPLAYS = Number(arg('replays', '1000'));
const ONLY = arg('cells', undefined)?.split(',');
const BASE = 0.03;
const UPLIFT = 0.01;
const MU = Math.log(40);
const SIGMA = 1.2;
const CONTROL = 0.1;
const CAP_Q = 0.95;

// What the estimates target. Uncapped: uplift x E[spend]. Capped: uplift x E[min(spend, c)]
// with c the 95th percentile of a responder's spend (the cap the data estimate).
const meanSpend = Math.exp(MU + (SIGMA * SIGMA) / 2);
const cap = Math.exp(MU + SIGMA * normalQuantile(CAP_Q));
const cappedMean = meanSpend * normalCdf((Math.log(cap) - MU - SIGMA * SIGMA) / SIGMA) + cap * (1 - normalCdf((Math.log(cap) - MU) / SIGMA));
const TRUTH = { response: UPLIFT, revenue: UPLIFT * meanSpend, revenueCapped: UPLIFT * cappedMean };

const CELLS = [
  { key: '500', label: '500 members', members: 500, runs: 1 },
  { key: '2000', label: '2,000 members', members: 2000, runs: 1 },
  { key: '20000', label: '20,000 members', members: 20000, runs: 1 },
  { key: '100000', label: '100,000 members', members: 100000, runs: 1 },
  { key: 'zero', label: 'control with zero responders (500 members)', members: 500, runs: 1, zeroControl: true },
  { key: 'weekly', label: '12 weekly runs pooled, persistent control (20,000 members)', members: 20000, runs: 12 },
];

/** One simulated experiment as columns (member-runs), or null when it does not meet the cell's condition. */
function simulate(rng, cell, uplift) {
  const m = cell.members;
  const n = m * cell.runs;
  const nControl = Math.round(m * CONTROL);
  const arm = new Int32Array(m);
  const p = new Float64Array(m);
  const member = new Int32Array(n);
  const run = new Int32Array(n);
  const responded = new Uint8Array(n);
  const revenue = new Float64Array(n);
  const preRevenue = new Float64Array(n);
  const preOrders = new Float64Array(n);
  const preR = new Float64Array(m);
  const preO = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    arm[i] = i < nControl ? 0 : 1;
    p[i] = Math.min(0.9, BASE * rng.gamma(0.5, 2));
    const k = rng.poisson(6 * p[i]);
    let s = 0;
    for (let j = 0; j < k; j++) s += rng.logNormal(MU, SIGMA);
    preO[i] = k;
    preR[i] = s;
  }
  let controlResponders = 0;
  for (let r = 0; r < cell.runs; r++) {
    for (let i = 0; i < m; i++) {
      const x = r * m + i;
      member[x] = i;
      run[x] = r;
      const rate = p[i] + (uplift && arm[i] === 1 ? UPLIFT : 0);
      if (rng.next() < rate) {
        responded[x] = 1;
        revenue[x] = rng.logNormal(MU, SIGMA);
        if (arm[i] === 0) controlResponders++;
      }
      preRevenue[x] = preR[i];
      preOrders[x] = preO[i];
    }
  }
  if (cell.zeroControl === true && controlResponders > 0) return null;
  return {
    arms: ['control', 'offer'],
    runs: Array.from({ length: cell.runs }, (_, r) => `w${r + 1}`),
    hasRuns: cell.runs > 1,
    memberIds: Array.from({ length: m }, (_, i) => String(i)),
    arm,
    member,
    run,
    responded,
    revenue,
    margin: null,
    preRevenue,
    preOrders,
  };
}

function runCell(cell, uplift) {
  const rng = new Rng(`experiments-calibration:${cell.key}:${uplift ? 'uplift' : 'aa'}`);
  const t = { n: 0, respVerdicts: 0, respSig: 0, respCov: 0, revVerdicts: 0, revSig: 0, revCovCapped: 0, revCov: 0, rawSig: 0, rawVerdicts: 0, saved: 0 };
  const started = process.hrtime.bigint();
  let tries = 0;
  while (t.n < REPLAYS) {
    tries++;
    const cols = simulate(rng, cell, uplift);
    if (cols === null) continue;
    t.n++;
    const d = evaluateColumns(cols);
    const a = d.arms[0];
    const r = a.response;
    if (r.withheld_reason === null) {
      t.respVerdicts++;
      if (r.significant) t.respSig++;
      if (r.low <= TRUTH.response && TRUTH.response <= r.high) t.respCov++;
    }
    const v = a.revenue;
    if (v.withheld_reason === null) {
      t.revVerdicts++;
      if (v.significant) t.revSig++;
      if (v.low <= TRUTH.revenueCapped && TRUTH.revenueCapped <= v.high) t.revCovCapped++;
      if (v.low <= TRUTH.revenue && TRUTH.revenue <= v.high) t.revCov++;
      t.saved += v.variance_reduction ?? 0;
    }
    const u = a.revenue_uncapped;
    if (u.withheld_reason === null) {
      t.rawVerdicts++;
      if (u.significant) t.rawSig++;
    }
  }
  return { ...t, tries, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

const pct = (k, n) => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);
const rows = [];
const times = [];
for (const cell of CELLS) {
  if (ONLY !== undefined && !ONLY.includes(cell.key)) continue;
  const aa = runCell(cell, false);
  const up = cell.zeroControl === true ? null : runCell(cell, true);
  rows.push(
    `| ${cell.label} | ${pct(aa.respSig, aa.respVerdicts)} (${pct(aa.n - aa.respVerdicts, aa.n)}) | ${pct(aa.revSig, aa.revVerdicts)} (${pct(aa.n - aa.revVerdicts, aa.n)}) | ${pct(aa.rawSig, aa.rawVerdicts)} | ` +
      `${up === null ? '-' : `${pct(up.respCov, up.respVerdicts)} (${pct(up.n - up.respVerdicts, up.n)})`} | ${up === null ? '-' : `${pct(up.revCovCapped, up.revVerdicts)} (${pct(up.n - up.revVerdicts, up.n)})`} | ${up === null ? '-' : pct(up.revCov, up.revVerdicts)} | ` +
      `${up === null ? '-' : pct(up.respSig, up.respVerdicts)} / ${up === null ? '-' : pct(up.revSig, up.revVerdicts)} | ${aa.revVerdicts === 0 ? '-' : `${((100 * aa.saved) / aa.revVerdicts).toFixed(1)}%`} |`,
  );
  times.push(`${cell.label}: ${(aa.seconds + (up?.seconds ?? 0)).toFixed(1)} s${cell.zeroControl === true ? ` (${aa.tries} campaigns drawn to find ${aa.n} with no control responder)` : ''}`);
  process.stderr.write(`${times[times.length - 1]}\n`);
}
console.log(`${REPLAYS} replays per cell; 10% control; 3% response (Gamma(0.5) propensities); log-normal spend (median 40, sigma 1.2); uplift +1 point.`);
console.log(`Truth: response +${TRUTH.response}, revenue +${TRUTH.revenue.toFixed(4)} per member (capped at the 95th percentile: +${TRUTH.revenueCapped.toFixed(4)}).`);
console.log('Rates over the replays with a verdict; the share withheld in brackets.\n');
console.log(
  '| cell | A/A significant: response (withheld) | A/A significant: revenue, capped + CUPED (withheld) | A/A significant: revenue uncapped | uplift covered: response (withheld) | uplift covered: revenue, capped truth (withheld) | uplift covered: revenue, uncapped truth | power: response / revenue | CUPED variance saved (A/A) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nRun time (not part of the table): ${times.join('; ')}`);
