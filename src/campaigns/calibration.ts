/**
 * Simulated campaigns for checking the statistics against the truth: A/A campaigns (no
 * effect) and campaigns with a known uplift, drawn member by member from a seeded stream.
 */
import { Rng } from '../core/random.js';
import { diffOfProportions, welch } from './stats.js';

export interface CalibrationResult {
  readonly simulations: number;
  /** Significant at 5% (proportion test, Welch on revenue per member). */
  readonly significant: { readonly response: number; readonly revenue: number };
  /** The true difference inside the 95% interval. */
  readonly covered: { readonly response: number; readonly revenue: number };
}

/**
 * Runs `simulations` campaigns of `members` members with `controlShare` held out. Control
 * members respond with `baseRate`, treated ones with `baseRate + uplift`; a responder spends
 * a log-normal amount (median `spendMedian`, log-sd `spendSigma`), so the true revenue uplift
 * per member is `uplift * E[spend]`.
 */
export function calibrate(o: {
  seed: string;
  simulations: number;
  members: number;
  controlShare: number;
  baseRate: number;
  uplift: number;
  spendMedian: number;
  spendSigma: number;
}): CalibrationResult {
  const rng = new Rng(o.seed);
  const meanSpend = o.spendMedian * Math.exp((o.spendSigma * o.spendSigma) / 2);
  const trueRevenue = o.uplift * meanSpend;
  const control = Math.round(o.members * o.controlShare);
  const treated = o.members - control;
  const mu = Math.log(o.spendMedian);
  let sigR = 0;
  let sigM = 0;
  let covR = 0;
  let covM = 0;
  const draw = (n: number, rate: number): { x: number; sum: number; sumSquares: number } => {
    let x = 0;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      if (rng.next() < rate) {
        x++;
        const s = rng.logNormal(mu, o.spendSigma);
        sum += s;
        sumSquares += s * s;
      }
    }
    return { x, sum, sumSquares };
  };
  for (let k = 0; k < o.simulations; k++) {
    const t = draw(treated, o.baseRate + o.uplift);
    const c = draw(control, o.baseRate);
    const r = diffOfProportions({ n: treated, x: t.x }, { n: control, x: c.x });
    const m = welch({ n: treated, sum: t.sum, sumSquares: t.sumSquares }, { n: control, sum: c.sum, sumSquares: c.sumSquares });
    if (r.pValue < 0.05) sigR++;
    if (m.pValue < 0.05) sigM++;
    if (r.low <= o.uplift && o.uplift <= r.high) covR++;
    if (m.low <= trueRevenue && trueRevenue <= m.high) covM++;
  }
  return { simulations: o.simulations, significant: { response: sigR, revenue: sigM }, covered: { response: covR, revenue: covM } };
}

/** The central band holding a Binomial(n, p) count with probability about 99.9% (normal approximation, z = 3.29). */
export function binomialBand(n: number, p: number): { low: number; high: number } {
  const sd = Math.sqrt(n * p * (1 - p));
  return { low: Math.floor(n * p - 3.29 * sd), high: Math.ceil(n * p + 3.29 * sd) };
}
