import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile, tCdf, tQuantile } from '../stats/distributions.js';
import { detectableUplift, diffOfProportions, evaluateCampaign, requiredSampleSize, sampleRatioMismatch, verdict, welch, type GroupTotals } from './stats.js';
import { evaluateExperiment, type ExperimentRow } from '../stats/index.js';

const near = (actual: number, expected: number, tol: number, what: string): void => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

test('distributions match published table values', () => {
  near(normalQuantile(0.975), 1.959963985, 1e-8, 'z 0.975');
  near(normalQuantile(0.8), 0.8416212336, 1e-8, 'z 0.8');
  near(normalQuantile(0.001), -3.090232306, 1e-8, 'z 0.001');
  near(normalCdf(1.96), 0.9750021049, 1e-9, 'Phi(1.96)');
  near(normalCdf(-3), 0.001349898032, 1e-11, 'Phi(-3)');
  near(tQuantile(0.975, 10), 2.228138852, 1e-8, 't(0.975, 10)');
  near(tQuantile(0.995, 3), 5.840909309, 1e-7, 't(0.995, 3)');
  near(tCdf(2.0, 5), 0.9490302605, 1e-9, 'T5(2)');
  near(tQuantile(0.975, 1e9), 1.959963985, 1e-8, 't at infinite df is z');
});

test("Newcombe's hybrid score interval reproduces the paper's worked examples", () => {
  // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
  const a = diffOfProportions({ n: 70, x: 56 }, { n: 80, x: 48 });
  near(a.estimate, 0.2, 1e-12, 'estimate (a)');
  near(a.low, 0.0524, 5e-5, 'low (a)');
  near(a.high, 0.3339, 5e-5, 'high (a)');
  const b = diffOfProportions({ n: 10, x: 9 }, { n: 10, x: 3 });
  near(b.low, 0.1705, 5e-5, 'low (b)');
  near(b.high, 0.809, 5e-5, 'high (b)');
  // No difference: the interval straddles zero and p is 1.
  const c = diffOfProportions({ n: 100, x: 10 }, { n: 100, x: 10 });
  assert.ok(c.low < 0 && c.high > 0);
  near(c.pValue, 1, 1e-12, 'p of equal rates');
});

test('Welch: the classic unequal-variance example, computed by hand', () => {
  // x = 1..5, y = 2,4,..,10: means 3 and 6, variances 2.5 and 10, se = sqrt(2.5), df = 6.25 / 1.0625.
  const sums = (xs: number[]): { n: number; sum: number; sumSquares: number } => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSquares: xs.reduce((a, b) => a + b * b, 0) });
  const w = welch(sums([1, 2, 3, 4, 5]), sums([2, 4, 6, 8, 10]));
  near(w.estimate, -3, 1e-12, 'difference');
  near(w.df, 6.25 / 1.0625, 1e-9, 'df');
  const q = tQuantile(0.975, 6.25 / 1.0625);
  near(w.low, -3 - q * Math.sqrt(2.5), 1e-9, 'low');
  near(w.high, -3 + q * Math.sqrt(2.5), 1e-9, 'high');
  near(w.pValue, 2 * (1 - tCdf(3 / Math.sqrt(2.5), 6.25 / 1.0625)), 1e-12, 'p');
  near(w.pValue, 0.1075, 5e-4, 'p as published for this example');
});

test('sample-ratio mismatch and power', () => {
  assert.equal(sampleRatioMismatch(9000, 1000, 0.1).warn, false);
  near(sampleRatioMismatch(9000, 1000, 0.1).pValue, 1, 1e-12, 'exact split');
  const off = sampleRatioMismatch(9000, 1150, 0.1);
  assert.equal(off.warn, true);
  near(off.observedControlShare, 1150 / 10150, 1e-12, 'observed share');
  // 5% -> 6% at alpha 0.05, power 0.8, equal groups: 8,158 per group (hand computation in docs).
  assert.deepEqual(requiredSampleSize({ baselineRate: 0.05, uplift: 0.01, controlShare: 0.5 }), { total: 16316, control: 8158, treatment: 8158 });
  const tenPct = requiredSampleSize({ baselineRate: 0.05, uplift: 0.01, controlShare: 0.1 });
  assert.ok(tenPct.control < 8158 && tenPct.treatment > tenPct.control * 8.9);
  // The detectable uplift of exactly that design is 1 point.
  near(detectableUplift({ treated: 8158, control: 8158, baselineRate: 0.05 }), 0.01, 2e-5, 'detectable uplift');
});

const group = (members: number, responders: number, revenue: string, margin: string, squares = '0'): GroupTotals => ({
  members,
  responders,
  orders: responders,
  revenue,
  revenueSquares: squares,
  margin,
  marginSquares: squares,
});

/** Member-level rows matching a group: its responders share its revenue and margin equally. */
function rows(arm: string, g: GroupTotals, from: number): ExperimentRow[] {
  return Array.from({ length: g.members }, (_, i) => {
    const r = i < g.responders;
    return { member_id: from + i, arm, responded: r, revenue: r ? Number(g.revenue) / g.responders : 0, margin: r ? Number(g.margin) / g.responders : 0 };
  });
}
function judge(t: GroupTotals, c: GroupTotals, cost: string, share?: number): ReturnType<typeof evaluateCampaign> {
  const arm = evaluateExperiment([...rows('treatment', t, 0), ...rows('control', c, t.members)], { costs: { treatment: cost } }).arms[0];
  assert.ok(arm !== undefined);
  return evaluateCampaign(t, c, cost, arm, share);
}

test('evaluation: exact increments, withheld revenue for tiny groups, verdicts that refuse to call a winner on an interval covering zero', () => {
  const e = judge(group(10, 4, '100.00', '40.00', '5000'), group(5, 1, '20.00', '5.00', '400'), '20.00');
  // revenue: 100 - 20 * 10 / 5 = 60; margin: 40 - 5 * 10 / 5 = 30 (exact, uncapped points).
  assert.deepEqual(e.incremental, { responders: 2, revenue: '60.00', margin: '30.00' });
  // One control responder: revenue and margin are not judged, so there is no ROI interval.
  assert.equal(e.revenue_uplift, null);
  assert.match(e.withheld.revenue ?? '', /too few responders in the control group to judge revenue \(1; at least 20 needed\)/);
  assert.equal(e.roi, null);
  assert.equal(e.treatment.revenue_per_member, '10.00');
  assert.equal(e.control.margin_per_member, '1.00');
  assert.equal(e.cost, '20.00');
  // Thirds round half away from zero to the cent: 10 / 3 per member.
  assert.equal(judge(group(3, 1, '10.00', '0'), group(3, 0, '0', '0'), '0').treatment.revenue_per_member, '3.33');
  assert.match(verdict(e), /Not enough evidence/);
  assert.match(verdict(e, 'zh'), /证据不足/);
  assert.match(verdict(e, 'en', 'revenue'), /^No verdict on revenue: too few responders in the control group/);
  const clear = judge(group(9000, 900, '18000.00', '5400.00'), group(1000, 50, '1000.00', '300.00'), '100.00', 0.1);
  assert.match(verdict(clear), /^The campaign worked/);
  // Every buyer spends 20: (10% - 5%) x 9,000 x 20 = 9,000 incremental revenue, with its interval.
  assert.match(verdict(clear), /incremental revenue 9000\.00 \(95% [\d.]+ \.\. [\d.]+\)/);
  const skewed = judge(group(9000, 900, '0', '0'), group(1400, 70, '0', '0'), '100.00', 0.1);
  assert.match(verdict(skewed), /^Warning: the control share/);
});

test('evaluation: with enough buyers, capped increments and ROI carry 95% intervals into the verdict', () => {
  const t: ExperimentRow[] = [];
  for (let i = 0; i < 2000; i++) {
    const arm = i % 10 === 0 ? 'control' : 'treatment';
    const r = arm === 'control' ? i % 80 === 0 : i % 4 === 0;
    const rev = r ? 30 + (i % 11) * 5 : 0;
    t.push({ member_id: i, arm, responded: r, revenue: rev, margin: rev * 0.3 });
  }
  const arm = evaluateExperiment(t, { costs: { treatment: '50.00' } }).arms[0];
  assert.ok(arm !== undefined && arm.increments !== null && arm.increments.roi !== null);
  const e = evaluateCampaign(group(1800, 150, '0', '0'), group(200, 5, '0', '0'), '50.00', arm, 0.1);
  assert.deepEqual(e.roi, arm.increments.roi);
  assert.ok(e.increments.revenue !== null && e.increments.revenue.low < e.increments.revenue.estimate);
  assert.match(verdict(e), /incremental revenue [\d.]+ \(95% [-\d.]+ \.\. [\d.]+\), incremental margin .*, ROI /);
});
