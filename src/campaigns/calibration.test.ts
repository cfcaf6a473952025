import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialBand, calibrate } from './calibration.js';

// 2,000 simulated campaigns each: 10,000 members, 10% control, 5% baseline response,
// responders spending a log-normal amount (median 200, log-sd 0.6). Fixed seeds.
const BASE = { simulations: 2000, members: 10000, controlShare: 0.1, baseRate: 0.05, spendMedian: 200, spendSigma: 0.6 };

test('A/A campaigns (no true effect) are declared significant about 5% of the time', () => {
  const r = calibrate({ ...BASE, seed: 'calibration-aa', uplift: 0 });
  const band = binomialBand(r.simulations, 0.05);
  process.stdout.write(`A/A: significant at 5%: response ${r.significant.response}/${r.simulations}, revenue ${r.significant.revenue}/${r.simulations} (99.9% band ${band.low}-${band.high})\n`);
  for (const [what, n] of Object.entries(r.significant)) assert.ok(n >= band.low && n <= band.high, `${what}: ${n} significant of ${r.simulations} is outside ${band.low}-${band.high}`);
});

test('campaigns with a known uplift have it inside the 95% interval about 95% of the time', () => {
  const r = calibrate({ ...BASE, seed: 'calibration-uplift', uplift: 0.01 });
  const band = binomialBand(r.simulations, 0.95);
  process.stdout.write(
    `known uplift of 1 point: covered by the 95% interval: response ${r.covered.response}/${r.simulations}, revenue ${r.covered.revenue}/${r.simulations} (99.9% band ${band.low}-${band.high}); detected at 5%: response ${r.significant.response}, revenue ${r.significant.revenue}\n`,
  );
  for (const [what, n] of Object.entries(r.covered)) assert.ok(n >= band.low && n <= band.high, `${what}: ${n} covered of ${r.simulations} is outside ${band.low}-${band.high}`);
});
