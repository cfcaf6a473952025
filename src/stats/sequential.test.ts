import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExperiment, sequentialHalfWidth, type ExperimentRow } from './index.js';

test('confidence-sequence half-width: the normal-mixture boundary of Howard et al. (2021)', () => {
  // Reference: the boundary sqrt(2 (t r + 1) / (t^2 r) * log(sqrt(t r + 1) / alpha)) times sigma,
  // r = (-2 log alpha + log(-2 log alpha + 1)) / tuning, sigma^2 = se^2 t, evaluated in Python's
  // math module (an implementation written apart from this one):
  // hw(0.5, 20000, 0.05, 5000) = 1.5635570718439953; hw(0.5, 5000, ...) = 1.5176044951881267;
  // hw(2.0, 100, 0.05, 5000) = 13.388777234132078.
  const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12 * b, `${a} vs ${b}`);
  near(sequentialHalfWidth(0.5, 20000, 0.05, 5000), 1.5635570718439953);
  near(sequentialHalfWidth(0.5, 5000, 0.05, 5000), 1.5176044951881267);
  near(sequentialHalfWidth(2.0, 100, 0.05, 5000), 13.388777234132078);
});

test('sequential evaluation widens every interval around the same estimate and says so in the method', () => {
  const rows: ExperimentRow[] = [];
  for (let i = 0; i < 6000; i++) {
    const arm = i % 10 === 0 ? 'control' : 'offer';
    const r = arm === 'control' ? i % 40 === 0 : i % 25 === 0;
    rows.push({ member_id: i, arm, responded: r, revenue: r ? 20 + (i % 23) : 0 });
  }
  const fixed = evaluateExperiment(rows).arms[0];
  const seq = evaluateExperiment(rows, { sequential: true });
  const a = seq.arms[0];
  assert.ok(fixed !== undefined && a !== undefined);
  assert.deepEqual(seq.method.sequential, { tuning: 5000 });
  for (const [f, s] of [
    [fixed.revenue, a.revenue],
    [fixed.response, a.response],
  ] as const) {
    assert.ok(f.low !== null && f.high !== null && s.low !== null && s.high !== null && f.p_value !== null && s.p_value !== null);
    assert.ok(s.low < f.low && s.high > f.high, `sequential [${s.low}, ${s.high}] inside fixed [${f.low}, ${f.high}]`);
    assert.ok(s.p_value >= f.p_value);
  }
  assert.equal(a.revenue.estimate, fixed.revenue.estimate);
});
