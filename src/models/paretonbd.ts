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
