import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile, tCdf, tQuantile } from '../stats/distributions.js';
import { detectableUplift, diffOfProportions, evaluateCampaign, poolRuns, requiredSampleSize, sampleRatioMismatch, verdict, welch, type GroupTotals } from './stats.js';

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

const group = (members: number, responders: number, revenue: string, margin: string, squares = '0'): GroupTotals => ({ members, responders, orders: responders, revenue, revenueSquares: squares, margin, marginSquares: squares });

test('evaluation: exact increments and ROI, verdicts that refuse to call a winner on an interval covering zero', () => {
  const e = evaluateCampaign(group(10, 4, '100.00', '40.00', '5000'), group(5, 1, '20.00', '5.00', '400'), '20.00');
  // revenue: 100 - 20 * 10 / 5 = 60; margin: 40 - 5 * 10 / 5 = 30; ROI 30 / 20.
  assert.deepEqual(e.incremental, { responders: 2, revenue: '60.00', margin: '30.00' });
  assert.equal(e.roi, 1.5);
  assert.equal(e.treatment.revenue_per_member, '10.00');
  assert.equal(e.control.margin_per_member, '1.00');
  assert.equal(e.cost, '20.00');
  // Thirds round half away from zero to the cent: 10 / 3 per member.
  assert.equal(evaluateCampaign(group(3, 1, '10.00', '0'), group(3, 0, '0', '0'), '0').treatment.revenue_per_member, '3.33');
  assert.equal(evaluateCampaign(group(3, 1, '10.00', '0'), group(3, 0, '0', '0'), '0').roi, null);
  assert.match(verdict(e), /Not enough evidence/);
  assert.match(verdict(e, 'zh'), /证据不足/);
  const clear = evaluateCampaign(group(9000, 900, '0', '0'), group(1000, 50, '0', '0'), '100.00', 0.1);
  assert.match(verdict(clear), /^The campaign worked/);
  const skewed = evaluateCampaign(group(9000, 900, '0', '0'), group(1400, 70, '0', '0'), '100.00', 0.1);
  assert.match(verdict(skewed), /^Warning: the control share/);
  const pooled = poolRuns([
    { treatment: group(10, 4, '100.00', '40.00', '5000'), control: group(5, 1, '20.00', '5.00', '400'), cost: '20.00' },
    { treatment: group(10, 4, '100.00', '40.00', '5000'), control: group(5, 1, '20.00', '5.00', '400'), cost: '20.00' },
  ]);
  assert.deepEqual(pooled.pooled.incremental, { responders: 4, revenue: '120.00', margin: '60.00' });
  assert.equal(pooled.pooled.cost, '40.00');
  near(pooled.pooled.response_uplift.estimate, e.response_uplift.estimate, 1e-12, 'two equal runs pool to the same estimate');
  assert.ok(pooled.pooled.response_uplift.high - pooled.pooled.response_uplift.low < e.response_uplift.high - e.response_uplift.low);
});
