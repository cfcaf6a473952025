/**
 * Gamma-Gamma model of spend (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
 * Value"): a member's occasion values are gamma(p, ν) with ν ~ gamma(q, γ) across members. It is
 * fitted on repeaters' mean repeat-occasion value.
 */
import type { Spends } from './histories.js';
import { digamma, lnGamma } from './special.js';

/** Gamma-Gamma parameters as named in the papers. */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/**
 * What the likelihood needs of the data that does not change with the parameters, computed once
 * per fit: the runs of equal x (the rows are sorted by x) with their length and the sum of the
 * logarithms of the mean values.
 */
export interface SpendLogs {
  /** Index of the first row of each run, and one past the last row at the end. */
  starts: Int32Array;
  sumLnMean: Float64Array;
}

/** Precomputes the runs of equal x and their sums of ln(mean). */
export function spendLogs(d: Spends): SpendLogs {
  const starts: number[] = [];
  const sums: number[] = [];
  for (let i = 0; i < d.x.length; i++) {
    if (i === 0 || d.x[i] !== d.x[i - 1]) {
      starts.push(i);
      sums.push(0);
    }
    sums[sums.length - 1] = (sums[sums.length - 1] as number) + Math.log(d.mean[i] as number);
  }
  starts.push(d.x.length);
  return { starts: Int32Array.from(starts), sumLnMean: Float64Array.from(sums) };
}

/**
 * Log-likelihood of the repeaters' mean values and its gradient with respect to (p, q, γ). Rows
 * with the same x share every term but ln(γ + m x) and 1/(γ + m x): the loop over rows sums
 * those two, and the rest is added once per run of equal x.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, d: Spends, logs: SpendLogs = spendLogs(d)): { value: number; gradient: [number, number, number] } {
  const { p, q, gamma } = params;
  const lnG = Math.log(gamma);
  const base = -lnGamma(q) + q * lnG;
  const psiQ = digamma(q);
  const { x: xs, mean } = d;
  const { starts, sumLnMean } = logs;
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    const from = starts[k] as number;
    const to = starts[k + 1] as number;
    const x = xs[from] as number;
    let sumLnDen = 0;
    let sumInvDen = 0;
    for (let i = from; i < to; i++) {
      const den = gamma + (mean[i] as number) * x;
      sumLnDen += Math.log(den);
      sumInvDen += 1 / den;
    }
    const c = to - from;
    const px = p * x;
    const lnX = Math.log(x);
    const psiSum = digamma(px + q);
    const sLnM = sumLnMean[k] as number;
    ll += c * (base + lnGamma(px + q) - lnGamma(px) + px * lnX) + (px - 1) * sLnM - (px + q) * sumLnDen;
    gp += x * (c * (psiSum - digamma(px) + lnX) + sLnM - sumLnDen);
    gq += c * (psiSum - psiQ + lnG) - sumLnDen;
    gg += (c * q) / gamma - (px + q) * sumInvDen;
  }
  return { value: ll, gradient: [gp, gq, gg] };
}

/** E[Z | mean m over x occasions]: the member's expected occasion value (2013 note, eq. 5). */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, mean: number): number {
  const { p, q, gamma } = params;
  return ((gamma + mean * x) * p) / (p * x + q - 1);
}

/** Expected occasion value of a member with no repeat occasion: the population mean pγ/(q - 1). */
export function gammaGammaPopulationMean(params: GammaGammaParams): number {
  return (params.p * params.gamma) / (params.q - 1);
}
