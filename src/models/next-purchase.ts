/**
 * Expected next purchase date (PRODUCT.md, customer models): the first day after the calibration
 * end on which the member's probability of at least one more occasion, conditional on the
 * calibration history, reaches 50%; none if it never does within two years (730 days).
 */
import { bgnbdTimeToPurchase, type BgnbdParams } from './bgnbd.js';
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

/** The day `days` after a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
