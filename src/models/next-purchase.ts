/**
 * Expected next purchase date (PRODUCT.md, customer models): the first day after the calibration
 * end on which the member's probability of at least one more occasion, conditional on the
 * calibration history, reaches 50%; none if it never does within two years (730 days). BG/NBD
 * and Pareto/NBD.
 */
import { bgnbdTimeToPurchase, type BgnbdParams } from './bgnbd.js';
import { paretoNbdPAlive, paretoNbdPurchaseIfAlive, type ParetoNbdParams } from './paretonbd.js';
import { PERIOD_DAYS, type Period } from './summary.js';

/** How far ahead the next purchase date is looked for, in days. */
export const NEXT_PURCHASE_MAX_DAYS = 730;

/** Days after the calibration end of the expected next purchase (1 = the day after), or null. */
export function nextPurchaseDays(p: BgnbdParams, x: number, tx: number, T: number, period: Period): number | null {
  const t = bgnbdTimeToPurchase(p, 0.5, x, tx, T);
  if (t === null) return null;
  // Day d ends at d periods-worth of days after the calibration end; the tiny slack keeps an exact
  // whole day from rounding up to the next one.
  const days = Math.max(1, Math.ceil(t * PERIOD_DAYS[period] - 1e-9));
  return days > NEXT_PURCHASE_MAX_DAYS ? null : days;
}

/**
 * Pareto/NBD: days after the calibration end of the expected next purchase, or null. Its
 * probability of a purchase has no closed-form inverse; it increases with t, so the first whole
 * day on which it reaches 50% is found by bisection over days 1..730.
 */
export function paretoNbdNextPurchaseDays(p: ParetoNbdParams, x: number, tx: number, T: number, period: Period): number | null {
  const pd = PERIOD_DAYS[period];
  const alive = paretoNbdPAlive(p, x, tx, T);
  if (alive <= 0.5) return null;
  const reached = (days: number): boolean => alive * paretoNbdPurchaseIfAlive(p, days / pd, x, T) >= 0.5;
  if (!reached(NEXT_PURCHASE_MAX_DAYS)) return null;
  let lo = 0; // not reached (no time has passed)
  let hi = NEXT_PURCHASE_MAX_DAYS; // reached
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The day `days` after a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
