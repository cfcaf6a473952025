/**
 * Intervals for response rates: Wilson's score interval for one group, Newcombe's hybrid score
 * interval for the difference of two. Both stay inside [0, 1] / [-1, 1] and stay honest with
 * zero or very few responders, where the Wald interval does not.
 */
import { normalCdf, normalQuantile } from './distributions.js';

/** A difference with its interval and two-sided p-value. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly pValue: number;
  readonly level: number;
}

/** Wilson score interval for x successes out of n. */
export function wilson(x: number, n: number, level = 0.95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = x / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Treatment rate minus control rate with Newcombe's (1998) hybrid score interval (method 10,
 * from the two Wilson intervals), and the two-sided p of the pooled two-proportion z test.
 */
export function diffOfProportions(t: { n: number; x: number }, c: { n: number; x: number }, level = 0.95): Interval {
  const p1 = t.n === 0 ? 0 : t.x / t.n;
  const p2 = c.n === 0 ? 0 : c.x / c.n;
  const w1 = wilson(t.x, t.n, level);
  const w2 = wilson(c.x, c.n, level);
  const d = p1 - p2;
  const low = d - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2);
  const high = d + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2);
  const pooled = t.n + c.n === 0 ? 0 : (t.x + c.x) / (t.n + c.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(t.n, 1) + 1 / Math.max(c.n, 1)));
  const pValue = se === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(d) / se));
  return { estimate: d, low, high, pValue, level };
}
