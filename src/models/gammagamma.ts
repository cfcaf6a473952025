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

/** Logarithms of the data that do not change with the parameters: computed once per fit. */
export interface SpendLogs {
  lnMean: Float64Array;
}

/** Precomputes the logarithms of the repeaters' mean values. */
export function spendLogs(d: Spends): SpendLogs {
  return { lnMean: d.mean.map(Math.log) };
}

/** Log-likelihood of the repeaters' mean values and its gradient with respect to (p, q, γ). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, d: Spends, logs: SpendLogs = spendLogs(d)): { value: number; gradient: [number, number, number] } {
  const { p, q, gamma } = params;
  const lnG = Math.log(gamma);
  const base = -lnGamma(q) + q * lnG;
  const psiQ = digamma(q);
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  let lastX = -1;
  let xTerm = 0;
  let xPsiSum = 0;
  let xPsiPx = 0;
  let lnX = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i] ?? 0;
    const m = d.mean[i] ?? 0;
    if (x !== lastX) {
      xTerm = lnGamma(p * x + q) - lnGamma(p * x);
      xPsiSum = digamma(p * x + q);
      xPsiPx = digamma(p * x);
      lnX = Math.log(x);
      lastX = x;
    }
    const lnM = logs.lnMean[i] ?? 0;
    const lnDen = Math.log(gamma + m * x);
    ll += base + xTerm + (p * x - 1) * lnM + p * x * lnX - (p * x + q) * lnDen;
    gp += x * (xPsiSum - xPsiPx + lnM + lnX - lnDen);
    gq += xPsiSum - psiQ + lnG - lnDen;
    gg += q / gamma - (p * x + q) / (gamma + m * x);
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
