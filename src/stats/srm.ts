/**
 * Sample-ratio mismatch: are the arms the sizes that were planned? A chi-square goodness-of-fit
 * test over all arms. It warns below p = 0.001, the threshold in common use: a real mismatch (a
 * broken assignment, lost records) gives tiny p-values, and the strict level keeps false
 * alarms on healthy experiments rare.
 */
import { chiSquareSf } from './distributions.js';
import type { SrmResult } from './schema.js';

/** The check for observed member counts per arm against planned shares (skipped, and saying so, without them). */
export function sampleRatio(observed: ReadonlyArray<readonly [string, number]>, allocation: Readonly<Record<string, number>> | undefined): SrmResult {
  const obs = Object.fromEntries(observed);
  if (allocation === undefined) return { p_value: null, warn: false, skipped_reason: 'no planned allocation given (--allocation control=0.1,offer=0.9)', expected: null, observed: obs };
  const total = observed.reduce((a, [, n]) => a + n, 0);
  const shareTotal = observed.reduce((a, [arm]) => a + (allocation[arm] ?? 0), 0);
  let chi = 0;
  const expected: Record<string, number> = {};
  for (const [arm, n] of observed) {
    const e = (total * (allocation[arm] ?? 0)) / shareTotal;
    expected[arm] = e;
    if (e > 0) chi += (n - e) ** 2 / e;
  }
  const p = total === 0 ? 1 : chiSquareSf(chi, observed.length - 1);
  return { p_value: p, warn: p < 0.001, skipped_reason: null, expected, observed: obs };
}
