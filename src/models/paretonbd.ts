/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987): while alive a member buys at Poisson rate
 * λ ~ gamma(r, α) and dies at exponential rate μ ~ gamma(s, β). The likelihood is written as in
 * Fader & Hardie's notes ("A Note on Deriving the Pareto/NBD Model and Related Expressions",
 * 2005, eqs. 18-20), with the hypergeometric terms in log space.
 */
import type { Histories } from './histories.js';
import { lnGamma, logAddExp, logHyp2f1, logSubExp } from './special.js';

/** Pareto/NBD parameters as named in the papers. */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/**
 * ln A0 of the notes: the difference of the two hypergeometric terms at t_x and T, with the
 * series argument chosen by whether α >= β so that it lies in [0, 1).
 */
function lnA0(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  const big = Math.max(alpha, beta);
  const diff = Math.abs(alpha - beta);
  const second = alpha >= beta ? s + 1 : r + x;
  const at = (t: number): number => logHyp2f1(rsx, second, rsx + 1, diff / (big + t)) - rsx * Math.log(big + t);
  return logSubExp(at(tx), at(T));
}

/** ln of the part of the likelihood that is not a product of gamma terms, per history. */
function lnMix(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const first = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  return logAddExp(first, Math.log(s / (r + s + x)) + lnA0(p, x, tx, T));
}

/** Log-likelihood of the histories. */
export function paretoNbdLogLikelihood(p: ParetoNbdParams, h: Histories): number {
  const { r, alpha, s, beta } = p;
  const base = -lnGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  let ll = 0;
  let lastX = -1;
  let xTerm = 0;
  for (let i = 0; i < h.x.length; i++) {
    const x = h.x[i] ?? 0;
    if (x !== lastX) {
      xTerm = lnGamma(r + x);
      lastX = x;
    }
    ll += (h.count[i] ?? 0) * (base + xTerm + lnMix(p, x, h.tx[i] ?? 0, h.T[i] ?? 0));
  }
  return ll;
}

/** P(alive at T | x, t_x, T) (notes, eq. 21). */
export function paretoNbdPAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const lnRatio = Math.log(s / (r + s + x)) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T) + lnA0(p, x, tx, T);
  return 1 / (1 + Math.exp(lnRatio));
}

/** ((β+T)/(β+T+t))^(s-1) handled at s = 1, divided by (s - 1): the lifetime part of eqs. 22 and 17. */
function lifetimePart(s: number, base: number, t: number): number {
  const ln = Math.log(base / (base + t));
  if (Math.abs(s - 1) < 1e-9) return -ln;
  return -Math.expm1((s - 1) * ln) / (s - 1);
}

/** E[X(t)]: expected purchases of a new member in (0, t] (notes, eq. 17). */
export function paretoNbdExpected(p: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  return ((p.r * p.beta) / p.alpha) * lifetimePart(p.s, p.beta, t);
}

/** E[Y(t) | alive at T, x, T]: eq. 22 without its P(alive) factor (it does not depend on t_x). */
export function paretoNbdExpectedIfAlive(p: ParetoNbdParams, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  return (((p.r + x) * (p.beta + T)) / (p.alpha + T)) * lifetimePart(p.s, p.beta + T, t);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the t periods after T (notes, eq. 22). */
export function paretoNbdConditionalExpected(p: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  return paretoNbdExpectedIfAlive(p, t, x, T) * paretoNbdPAlive(p, x, tx, T);
}

/** Intervals of the composite Simpson rule of paretoNbdProbabilityOfPurchase (even). */
const PURCHASE_STEPS = 64;

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T). A member alive at T has λ ~ gamma(r + x,
 * α + T) and μ ~ gamma(s, β + T), independent, and buys in (T, T + t] with probability
 * λ/(λ+μ) (1 − e^{−(λ+μ)t}), whose derivative in t is λ e^{−(λ+μ)t}; averaged over the posterior,
 *   P(t | alive) = ∫_0^t (r+x)/(α+T) ((α+T)/(α+T+u))^{r+x+1} ((β+T)/(β+T+u))^s du.
 * With z = 1 − ((α+T)/(α+T+u))^{r+x} (the probability of a purchase were the member immortal)
 * this is ∫_0^{z_t} ((β+T)/(β+T+u(z)))^s dz, a smooth bounded integrand, summed by Simpson's rule.
 */
export function paretoNbdProbabilityOfPurchase(p: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  return paretoNbdPAlive(p, x, tx, T) * paretoNbdPurchaseIfAlive(p, t, x, T);
}

/** P(at least one purchase in (T, T + t] | alive at T, x, T): the integral above. */
export function paretoNbdPurchaseIfAlive(p: ParetoNbdParams, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = p;
  const A = alpha + T;
  const B = beta + T;
  const rx = r + x;
  const zt = -Math.expm1(rx * Math.log(A / (A + t)));
  const g = (z: number): number => {
    const u = A * Math.expm1(-Math.log1p(-z) / rx);
    return Math.exp(-s * Math.log1p(u / B));
  };
  const h = zt / PURCHASE_STEPS;
  let sum = g(0) + g(zt);
  for (let k = 1; k < PURCHASE_STEPS; k++) sum += (k % 2 === 1 ? 4 : 2) * g(k * h);
  return (sum * h) / 3;
}
