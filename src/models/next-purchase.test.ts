/**
 * Pareto/NBD next purchase date. The expected figures were computed independently of the code:
 * P(alive) from Fader & Hardie's notes (eqs. 18-21) with the hypergeometric function and the
 * purchase probability as the integral over u of its density (adaptive quadrature at 15 digits),
 * using the Pareto/NBD parameters published for the CDNOW sample (r 0.553, α 10.578, s 0.606,
 * β 11.669; weeks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paretoNbdNextPurchaseDays } from './next-purchase.js';
import { paretoNbdPAlive, paretoNbdProbabilityOfPurchase } from './paretonbd.js';

const P = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
const close = (got: number, want: number, tol: number, what: string): void => assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want}`);

test('Pareto/NBD: probability of a purchase after the calibration end matches the integral computed by hand', () => {
  close(paretoNbdPAlive(P, 2, 30.43, 38.86), 0.869167559153011, 1e-9, 'P(alive), x 2, t_x 30.43, T 38.86');
  close(paretoNbdProbabilityOfPurchase(P, 1, 2, 30.43, 38.86), 0.043065469443954, 1e-9, 'P(purchase within 1 week)');
  close(paretoNbdProbabilityOfPurchase(P, 39, 2, 30.43, 38.86), 0.591937276393536, 1e-7, 'P(purchase within 39 weeks)');
  close(paretoNbdProbabilityOfPurchase(P, 39, 0, 0, 38.86), 0.0692851840543198, 1e-7, 'one-time buyer, 39 weeks');
  close(paretoNbdProbabilityOfPurchase(P, 1, 10, 38, 38.86), 0.187253846405902, 1e-9, 'frequent buyer, 1 week');
  assert.equal(paretoNbdProbabilityOfPurchase(P, 0, 2, 30.43, 38.86), 0);
});

test('Pareto/NBD: the next purchase date is the first whole day on which that probability reaches 50%', () => {
  // Day 166: 0.49962, day 167: 0.50088.
  assert.equal(paretoNbdNextPurchaseDays(P, 2, 30.43, 38.86, 'week'), 167);
  // Day 24: 0.49272, day 25: 0.50585.
  assert.equal(paretoNbdNextPurchaseDays(P, 10, 38, 38.86, 'week'), 25);
  // P(alive) 0.295: never reaches 50%.
  assert.equal(paretoNbdNextPurchaseDays(P, 0, 0, 38.86, 'week'), null);
});
