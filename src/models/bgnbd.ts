/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing Science
 * 24(2)): while alive a member buys at Poisson rate λ ~ gamma(r, α); after each purchase the
 * member drops out with probability p ~ beta(a, b). Time is continuous, in periods.
 */
import type { Histories } from './histories.js';
import { digamma, lnGamma, logHyp2f1 } from './special.js';

/** BG/NBD parameters as named in the paper. */
export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Log-likelihood of the histories (paper eq. 6, in log space) and its gradient with respect to
 * (r, α, a, b). ln(α + t) is computed once per whole day, not once per history; terms that depend
 * on x only once per value of x (rows are sorted by x); the parts common to every member are
 * summed once, weighted by the number of members.
 */
export function bgnbdLogLikelihood(p: BgnbdParams, h: Histories): { value: number; gradient: [number, number, number, number] } {
  const { r, alpha, a, b } = p;
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  const base = -lnGamma(r) + r * lnAlpha + lnGamma(a + b) - lnGamma(b);
  const { x: xs, txDays, tDays, count } = h;
  let maxDay = 0;
  for (const d of tDays) if (d > maxDay) maxDay = d;
  const lnDay = new Float64Array(maxDay + 1);
  const invDay = new Float64Array(maxDay + 1);
  for (let d = 0; d <= maxDay; d++) {
    const v = alpha + d / h.periodDays;
    lnDay[d] = Math.log(v);
    invDay[d] = 1 / v;
  }
  let members = 0;
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  let lastX = -1;
  let rx = 0;
  let xTerm = 0;
  let xGr = 0;
  let xGa = 0;
  let xGb = 0;
  let lnRatioX = 0;
  let invB = 0;
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const w = count[i] as number;
    if (x !== lastX) {
      // Terms that depend on x only.
      rx = r + x;
      xTerm = lnGamma(rx) + lnGamma(b + x) - lnGamma(a + b + x);
      const psiABX = digamma(a + b + x);
      xGr = digamma(rx) - psiR + lnAlpha;
      xGa = psiAB - psiABX;
      xGb = psiAB + digamma(b + x) - psiB - psiABX;
      lnRatioX = x > 0 ? lnA - Math.log(b + x - 1) : 0;
      invB = x > 0 ? 1 / (b + x - 1) : 0;
      lastX = x;
    }
    const dT = tDays[i] as number;
    const lnAT = lnDay[dT] as number;
    const invAT = invDay[dT] as number;
    members += w;
    ll += w * xTerm;
    gr += w * xGr;
    ga += w * xGa;
    gb += w * xGb;
    if (x > 0) {
      const dTx = txDays[i] as number;
      const lnATx = lnDay[dTx] as number;
      // ln(e^a3 + e^a4) = max + ln(1 + e^(min - max)); w4 = e^(a4 - mix), w3 = 1 - w4.
      const a3 = -rx * lnAT;
      const a4 = lnRatioX - rx * lnATx;
      let mix: number;
      let w4: number;
      if (a4 >= a3) {
        const e = Math.exp(a3 - a4);
        mix = a4 + Math.log1p(e);
        w4 = 1 / (1 + e);
      } else {
        const e = Math.exp(a4 - a3);
        mix = a3 + Math.log1p(e);
        w4 = e / (1 + e);
      }
      const w3 = 1 - w4;
      ll += w * mix;
      gr -= w * (w3 * lnAT + w4 * lnATx);
      gAlpha -= w * rx * (w3 * invAT + w4 * (invDay[dTx] as number));
      ga += (w * w4) / a;
      gb -= w * w4 * invB;
    } else {
      ll -= w * rx * lnAT;
      gr -= w * lnAT;
      gAlpha -= w * rx * invAT;
    }
  }
  return { value: ll + members * base, gradient: [gr, gAlpha + (members * r) / alpha, ga, gb] };
}

/** P(alive at T | x, t_x, T) (paper eq. 13). */
export function bgnbdPAlive(p: BgnbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const lnRatio = Math.log(p.a / (p.b + x - 1)) + (p.r + x) * Math.log((p.alpha + T) / (p.alpha + tx));
  return 1 / (1 + Math.exp(lnRatio));
}

/** E[X(t)]: expected purchases of a new member in (0, t] (paper eq. 7). */
export function bgnbdExpected(p: BgnbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const lnPart = r * Math.log(alpha / (alpha + t)) + logHyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * -Math.expm1(lnPart);
}

/**
 * E[Y(t) | alive at T, x, T]: expected purchases in the t periods after T of a member alive at T
 * (paper eq. 10 without its P(alive) factor; it does not depend on t_x).
 */
export function bgnbdExpectedIfAlive(p: BgnbdParams, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const lnPart = (r + x) * Math.log((alpha + T) / (alpha + T + t)) + logHyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  return ((a + b + x - 1) / (a - 1)) * -Math.expm1(lnPart);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the t periods after T (paper eq. 10). */
export function bgnbdConditionalExpected(p: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  return bgnbdExpectedIfAlive(p, t, x, T) * bgnbdPAlive(p, x, tx, T);
}

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T). A BG/NBD member only drops out right after
 * a purchase, so one alive at T keeps buying at rate λ, whose posterior is gamma(r + x, α + T).
 */
export function bgnbdProbabilityOfPurchase(p: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  return bgnbdPAlive(p, x, tx, T) * -Math.expm1((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + t)));
}

/**
 * The smallest t (in periods) at which bgnbdProbabilityOfPurchase reaches `level`, or null when it
 * never does (its limit as t grows is P(alive)).
 */
export function bgnbdTimeToPurchase(p: BgnbdParams, level: number, x: number, tx: number, T: number): number | null {
  const alive = bgnbdPAlive(p, x, tx, T);
  if (alive <= level) return null;
  // alive * (1 - ((α+T)/(α+T+t))^(r+x)) = level  <=>  t = (α+T) ((1 - level/alive)^(-1/(r+x)) - 1)
  return (p.alpha + T) * Math.expm1(-Math.log1p(-level / alive) / (p.r + x));
}
