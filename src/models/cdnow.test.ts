/**
 * The published CDNOW figures, reproduced from the sample file imported through the cdnow preset.
 * Set-up as in the papers: weeks, calibration ends 1997-09-30, same-day purchases merged, the
 * first purchase not a repeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasets, sandbox, type Sandbox } from '../testing/index.js';
import {
  bgnbdConditionalExpected,
  bgnbdParams,
  fitBgnbd,
  fitGammaGamma,
  fitParetoNbd,
  gammaGammaParams,
  membersIn,
  paretoNbdConditionalExpected,
  paretoNbdExpected,
  paretoNbdPAlive,
  paretoNbdParams,
  readHistories,
  readSpends,
} from './index.js';

const sample = datasets('cdnow/CDNOW_sample.txt');
const skip = 'skip' in sample ? sample.skip : false;
const END = '1997-09-30';

/** Asserts a value rounds to the published figure at the published number of decimals. */
function published(got: number, want: string, what: string): void {
  const decimals = want.includes('.') ? (want.split('.')[1] ?? '').length : 0;
  assert.equal(got.toFixed(decimals), want, `${what}: ${got} does not round to the published ${want}`);
}

async function withSample(fn: (s: Sandbox) => Promise<void>): Promise<void> {
  if (!('path' in sample)) return;
  const s = await sandbox();
  try {
    await s.import(sample.path, { preset: 'cdnow' });
    await fn(s);
  } finally {
    s.close();
  }
}

test('BG/NBD on the CDNOW sample: Fader, Hardie & Lee (2005), Marketing Science 24(2), section 4', { skip }, () =>
  withSample(async (s) => {
    const h = await readHistories(s.db, END, 'week');
    assert.equal(membersIn(h), 2357, 'the 2,357 customers of the sample');
    const fit = fitBgnbd(h);
    assert.ok(fit.converged);
    // Parameter estimates and log-likelihood reported in section 4 of the paper.
    published(fit.params['r'] ?? 0, '0.243', 'r');
    published(fit.params['alpha'] ?? 0, '4.414', 'alpha');
    published(fit.params['a'] ?? 0, '0.793', 'a');
    published(fit.params['b'] ?? 0, '2.426', 'b');
    published(fit.log_likelihood, '-9582.4', 'log-likelihood');
    assert.equal(fit.repeaters, 946);
    // The paper's worked example (section 4): x = 2, t_x = 30.43, T = 38.86 expects 1.226
    // purchases in the next 39 weeks.
    published(bgnbdConditionalExpected(bgnbdParams(fit), 39, 2, 30.43, 38.86), '1.226', 'E[Y(39) | 2, 30.43, 38.86]');
    for (const se of Object.values(fit.standard_errors)) assert.ok(se !== null && se > 0, 'every standard error is a positive number');
  }),
);

test('Pareto/NBD on the CDNOW sample: estimates reported by Fader, Hardie & Lee (2005) and BTYD per-customer figures', { skip }, () =>
  withSample(async (s) => {
    const fit = fitParetoNbd(await readHistories(s.db, END, 'week'));
    // Fader, Hardie & Lee (2005), section 4, the Pareto/NBD fitted to the same data for comparison:
    // r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = -9595.0.
    published(fit.params['r'] ?? 0, '0.553', 'r');
    published(fit.params['alpha'] ?? 0, '10.578', 'alpha');
    published(fit.params['s'] ?? 0, '0.606', 's');
    published(fit.params['beta'] ?? 0, '11.669', 'beta');
    published(fit.log_likelihood, '-9595.0', 'log-likelihood');
    const p = paretoNbdParams(fit);
    // BTYD walkthrough (Dziurzynski, Wadsworth & McCarthy, "BTYD: Implementing Buy 'Til You Die
    // Models", section 2.2): E[X(52)] = 1.473 for a new customer; customer 1516 (x = 26,
    // t_x = 30.86, T = 31) expects 25.46 transactions in 52 weeks and is alive with P 0.9979.
    published(paretoNbdExpected(p, 52), '1.473', 'E[X(52)]');
    published(paretoNbdConditionalExpected(p, 52, 26, 30.86, 31), '25.46', 'customer 1516, E[Y(52)]');
    published(paretoNbdPAlive(p, 26, 30.86, 31), '0.9979', 'customer 1516, P(alive)');
  }),
);

test('Gamma-Gamma on the CDNOW sample repeaters: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", p. 4', { skip }, () =>
  withSample(async (s) => {
    const spends = await readSpends(s.db, END);
    assert.equal(spends.x.length, 946, 'fitted on the 946 repeaters');
    const fit = fitGammaGamma(spends, 2357);
    // p = 6.25, q = 3.74, γ = 15.44 (the note's estimates on the mean repeat-transaction values).
    published(fit.params['p'] ?? 0, '6.25', 'p');
    published(fit.params['q'] ?? 0, '3.74', 'q');
    published(fit.params['gamma'] ?? 0, '15.44', 'gamma');
    assert.ok(gammaGammaParams(fit).q > 1, 'the population mean spend exists');
  }),
);
