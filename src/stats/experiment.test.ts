import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExperiment, tryEvaluateExperiment, type ComparisonResult, type ExperimentRow } from './index.js';

// Reference values: scipy 1.17.1 / numpy 2.4.6 on the same formulas (scipy.stats.ttest_ind with
// equal_var=False and its confidence_interval(0.95); numpy.percentile, numpy.linalg.lstsq;
// scipy.stats.chisquare). The script that printed them is quoted in each test's comment.

const near = (actual: number | null, expected: number, tol: number, what: string): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${what}: ${String(actual)} is not within ${tol} of ${expected}`);
};
const check = (c: ComparisonResult, e: { est: number; low: number; high: number; p: number }, what: string): void => {
  near(c.estimate, e.est, 1e-9, `${what} estimate`);
  near(c.low, e.low, 1e-7, `${what} low`);
  near(c.high, e.high, 1e-7, `${what} high`);
  near(c.p_value, e.p, 1e-7, `${what} p`);
};

/** 60 members, 20 in control: i<20 control; responders (i*7)%5==0 or (i*11)%9==0. */
function fixture(): ExperimentRow[] {
  const rows: ExperimentRow[] = [];
  for (let i = 0; i < 60; i++) {
    const resp = (i * 7) % 5 === 0 || (i * 11) % 9 === 0;
    const hasPre = (i * 31) % 13 < 5;
    const pre = hasPre ? ((i * 29) % 61) + 0.5 : 0;
    const rev = resp ? (((i * 53) % 97) + 1.25) * (1 + (i % 3)) + 0.5 * pre : 0;
    rows.push({ member_id: `m${i}`, arm: i < 20 ? 'control' : 'offer', responded: resp, revenue: rev.toFixed(4), pre_revenue: pre, pre_orders: hasPre ? 1 + (i % 3) : 0 });
  }
  return rows;
}

test('uncapped revenue without CUPED is Welch t (scipy ttest_ind, equal_var=False)', () => {
  const d = evaluateExperiment(fixture(), { capPercentile: null, cuped: false, minResponders: 0 });
  const a = d.arms[0];
  assert.ok(a !== undefined);
  // python: st.ttest_ind(rev[t], rev[c], equal_var=False); .confidence_interval(0.95)
  check(a.revenue, { est: 1.09375, low: -29.920137651041596, high: 32.1076376510416, p: 0.9435093275722987 }, 'uncapped');
  assert.equal(a.revenue.withheld_reason, null);
  assert.equal(d.method.cuped, false);
  assert.equal(d.method.capping_percentile, null);
});

test('capped revenue: each value capped at the 95th percentile of the positive values of both arms', () => {
  const d = evaluateExperiment(fixture(), { cuped: false, minResponders: 0 });
  const a = d.arms[0];
  assert.ok(a !== undefined);
  // python: cap = np.percentile(rev[rev > 0], 95) = 228.15; Welch on np.minimum(rev, cap)
  near(d.method.caps['revenue']?.upper ?? null, 228.15, 1e-9, 'cap');
  check(a.revenue, { est: -0.04625000000000057, low: -30.25749453448471, high: 30.16499453448471, p: 0.9975405828265452 }, 'capped');
  // The uncapped comparison is shown beside it.
  near(a.revenue_uncapped.estimate, 1.09375, 1e-9, 'uncapped beside');
});

test('CUPED with capped pre-period spend and purchases: theta pooled within arms (numpy lstsq), then Welch', () => {
  const d = evaluateExperiment(fixture(), { minResponders: 0 });
  const a = d.arms[0];
  assert.ok(a !== undefined);
  // python: pre capped at np.percentile(pre[pre>0], 95) = 58.8, orders at 3.0; theta = lstsq of
  // within-arm centred capped revenue on the centred covariates = [-0.19370834, -7.3585759];
  // Welch on capped revenue - X @ theta.
  near(d.method.caps['pre_revenue']?.upper ?? null, 58.8, 1e-9, 'pre cap');
  check(a.revenue, { est: 0.4433478293817572, low: -28.688493867560293, high: 29.575189526323808, p: 0.9755794543639311 }, 'cuped');
  near(a.revenue.variance_reduction, 0.06781924915474147, 1e-9, 'variance saved');
  assert.deepEqual(d.method.cuped_covariates, ['pre_revenue', 'pre_orders']);
});

test("repeated runs are pooled at the member level: Welch on each member's per-run average when every member is in every run", () => {
  const rows: ExperimentRow[] = [];
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < 60; i++) {
      const resp = (i * 7 + r * 3) % 5 === 0;
      rows.push({ member_id: i, arm: i < 20 ? 'control' : 'offer', responded: resp ? 1 : 0, revenue: resp ? ((i * 13 + r * 17) % 41) + 0.75 : 0, run: `w${r + 1}` });
    }
  }
  const d = evaluateExperiment(rows, { capPercentile: null, minResponders: 0 });
  const a = d.arms[0];
  assert.ok(a !== undefined);
  assert.equal(d.method.pooling, 'member-level');
  // python: tot = per-member sum over the 3 runs; Welch on tot / 3.
  check(a.revenue, { est: 0.441666666666666, low: -2.046216936362822, high: 2.929550269696154, p: 0.7217029704766461 }, 'pooled revenue');
  check(a.response, { est: 0, low: -0.0925146379868221, high: 0.0925146379868221, p: 1 }, 'pooled response');
  assert.equal(a.runs?.length, 3);
  assert.equal(a.increments?.exposures, 120);
});

test('sample-ratio check over three arms is the chi-square goodness of fit (scipy chisquare)', () => {
  const rows: ExperimentRow[] = [];
  const sizes: Array<[string, number]> = [
    ['control', 1050],
    ['a', 4400],
    ['b', 4550],
  ];
  let k = 0;
  for (const [arm, n] of sizes) for (let i = 0; i < n; i++) rows.push({ member_id: k++, arm, responded: i % 25 === 0, revenue: i % 25 === 0 ? 10 + (i % 7) : 0 });
  const d = evaluateExperiment(rows, { allocation: { control: 0.1, a: 0.45, b: 0.45 } });
  // python: st.chisquare([1050,4400,4550],[1000,4500,4500]) -> statistic 5.2778, pvalue 0.07144060392237897
  near(d.srm.p_value, 0.07144060392237897, 1e-10, 'srm p');
  assert.equal(d.srm.warn, false);
  assert.equal(d.arms.length, 2);
  assert.equal(d.between_arms.length, 1);
  assert.equal(d.between_arms[0]?.arm, 'b');
  assert.equal(d.between_arms[0]?.against, 'a');
  const skipped = evaluateExperiment(rows);
  assert.equal(skipped.srm.p_value, null);
  assert.match(skipped.srm.skipped_reason ?? '', /no planned allocation/);
});

test('a control group without responders: revenue is withheld, not declared a winner; response stays Newcombe', () => {
  const rows: ExperimentRow[] = [];
  for (let i = 0; i < 500; i++) {
    const control = i < 50;
    const resp = !control && i % 30 === 0;
    rows.push({ member_id: i, arm: control ? 'control' : 'offer', responded: resp, revenue: resp ? '120.50' : '0' });
  }
  const d = evaluateExperiment(rows, { costs: { offer: '100' } });
  const a = d.arms[0];
  assert.ok(a !== undefined);
  assert.equal(a.revenue.significant, false);
  assert.match(a.revenue.withheld_reason ?? '', /too few responders in the control group to judge revenue \(0; at least 20 needed\)/);
  assert.equal(a.revenue.low, null);
  assert.equal(a.increments?.revenue, null);
  assert.equal(a.increments?.roi, null);
  // Newcombe: 15/450 vs 0/50 -> the interval covers zero (Wilson upper of 0/50 is 0.0713).
  assert.equal(a.response.withheld_reason, null);
  assert.ok(a.response.low !== null && a.response.low < 0, `low ${String(a.response.low)}`);
  assert.equal(a.response.significant, false);
});

test('increments and ROI carry the uplift interval; relative lift is beside the absolute one', () => {
  const rows: ExperimentRow[] = [];
  for (let i = 0; i < 4000; i++) {
    const control = i % 10 === 0;
    const resp = control ? i % 50 === 0 : i % 20 === 0 || i % 33 === 0;
    const rev = resp ? 50 + (i % 17) * 3 : 0;
    rows.push({ member_id: i, arm: control ? 'control' : 'offer', responded: resp, revenue: rev, margin: (rev * 0.4).toFixed(2) });
  }
  const d = evaluateExperiment(rows, { costs: { offer: '250.00' } });
  const a = d.arms[0];
  assert.ok(a !== undefined && a.increments !== null && a.margin !== undefined);
  const m = a.margin;
  assert.ok(m.low !== null && m.high !== null && a.increments.roi !== null);
  near(a.increments.roi.estimate, (m.estimate * 3600) / 250, 1e-9, 'roi');
  near(a.increments.roi.low, (m.low * 3600) / 250, 1e-9, 'roi low');
  near(a.increments.roi.high, (m.high * 3600) / 250, 1e-9, 'roi high');
  assert.ok(a.revenue.relative !== null);
  near(a.revenue.relative.estimate, a.revenue.treatment_mean / a.revenue.control_mean - 1, 1e-12, 'relative');
});

test('rows that cannot be evaluated come back as problems', () => {
  const base: ExperimentRow = { member_id: 'a', arm: 'control', responded: false, revenue: '0' };
  const noControl = tryEvaluateExperiment([
    { ...base, arm: 'x' },
    { ...base, member_id: 'b', arm: 'y' },
  ]);
  assert.deepEqual(noControl.ok ? null : noControl.problem.type, 'no_control');
  const moved = tryEvaluateExperiment([
    { ...base, run: 1 },
    { ...base, arm: 'offer', run: 2 },
  ]);
  assert.deepEqual(moved.ok ? null : moved.problem.type, 'arm_changed');
  const money = tryEvaluateExperiment([base, { ...base, member_id: 'b', arm: 'offer', revenue: '12,50' }]);
  assert.deepEqual(money.ok ? null : money.problem, { type: 'invalid_row', row: 1, field: 'revenue', reason: 'must be a number or a decimal string' });
  const alloc = tryEvaluateExperiment([base, { ...base, member_id: 'b', arm: 'offer' }], { allocation: { control: 0.1 } });
  assert.deepEqual(alloc.ok ? null : alloc.problem.type, 'invalid_option');
  assert.throws(() => evaluateExperiment([{ ...base, arm: 'x' }]), /no row has arm "control"/);
});
