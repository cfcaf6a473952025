/**
 * Holdout validation of a purchase model: fit on the calibration period, predict the holdout,
 * and compare. Tracking of cumulative repeat occasions by week (actual against expected), the
 * conditional expectations by number of calibration repeat occasions, and a plain verdict.
 */
import type { Clock } from '../core/clock.js';
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { bgnbdConditionalExpected, bgnbdExpected } from './bgnbd.js';
import { bgnbdParams, paretoNbdParams } from './fit.js';
import { addDays } from './next-purchase.js';
import { paretoNbdConditionalExpected, paretoNbdExpected } from './paretonbd.js';
import type { StoredFit } from './schema.js';
import { checkDay, ensureFit, ModelError } from './service.js';
import { PERIOD_DAYS, type Period } from './summary.js';

const sql = namedStatements(sqlFile(import.meta.url, 'validation.sql'));

/** A purchase model's two expectations, in periods. */
interface Expectations {
  expected(t: number): number;
  conditional(t: number, x: number, tx: number, T: number): number;
}

function expectationsOf(fit: StoredFit): Expectations {
  if (fit.model === 'bgnbd') {
    const p = bgnbdParams(fit);
    return { expected: (t) => bgnbdExpected(p, t), conditional: (t, x, tx, T) => bgnbdConditionalExpected(p, t, x, tx, T) };
  }
  const p = paretoNbdParams(fit);
  return { expected: (t) => paretoNbdExpected(p, t), conditional: (t, x, tx, T) => paretoNbdConditionalExpected(p, t, x, tx, T) };
}

/** One week of the tracking chart: cumulative repeat occasions by the end of the week. */
export interface TrackingPoint {
  week: number;
  ends: string;
  actual: number;
  expected: number;
}

/** The validation report. */
export interface ValidationReport {
  fit: StoredFit;
  cohort_start: string;
  holdout_end: string;
  calibration_week: number;
  tracking: TrackingPoint[];
  /** Relative error (expected - actual) / actual of the cumulative count at the end of the calibration, a quarter later, and the end. */
  checkpoints: Array<{ week: number; actual: number; expected: number; error: number | null }>;
  holdout: { periods: number; actual: number; expected: number; error: number | null };
  /** Mean holdout repeat occasions per member by calibration repeat occasions (the last bin is "7+"). */
  conditional: Array<{ x: string; members: number; actual: number; expected: number }>;
  /** Weekly holdout repeat occasions: mean absolute error relative to the mean weekly actual. */
  weekly_holdout_error: number | null;
  verdict: 'good' | 'fair' | 'poor';
  notes: string[];
}

const CENSOR = 7;
const relative = (expected: number, actual: number): number | null => (actual > 0 ? (expected - actual) / actual : null);
const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Fits (or reads) the model for the calibration key, then predicts the holdout and compares. */
export async function validateModel(db: Db, clock: Clock, opts: { model: 'bgnbd' | 'paretonbd'; calibrationEnd: string; period: Period; holdoutEnd?: string }): Promise<ValidationReport> {
  checkDay(opts.calibrationEnd);
  const bounds = await db.one(sql('bounds'));
  const start = str(bounds, 'start');
  const last = str(bounds, 'last');
  if (start === null || last === null) throw new ModelError('no purchase occasions: nothing to validate');
  const holdoutEnd = opts.holdoutEnd === undefined ? last : checkDay(opts.holdoutEnd, 'holdout end');
  if (holdoutEnd <= opts.calibrationEnd) throw new ModelError(`the holdout must end after the calibration end ${opts.calibrationEnd} (the data ends ${last})`);
  const fit = await ensureFit(db, clock, opts.model, opts.calibrationEnd, opts.period);
  const model = expectationsOf(fit);
  const pd = PERIOD_DAYS[opts.period];

  const firstDays = (await db.all(sql('first_days'), [opts.calibrationEnd, start])).map((r) => ({ d: int(r, 'd'), n: int(r, 'n') }));
  const weekly = new Map((await db.all(sql('weekly_repeats'), [opts.calibrationEnd, holdoutEnd, start])).map((r) => [int(r, 'week'), int(r, 'n')]));
  const totalDays = daysBetween(start, holdoutEnd) + 1;
  const weeks = Math.ceil(totalDays / 7);
  const tracking: TrackingPoint[] = [];
  let cumulative = 0;
  for (let k = 1; k <= weeks; k++) {
    const end = Math.min(7 * k - 1, totalDays - 1);
    cumulative += weekly.get(k) ?? 0;
    let expected = 0;
    for (const f of firstDays) if (f.d < end) expected += f.n * model.expected((end - f.d) / pd);
    tracking.push({ week: k, ends: addDays(start, end), actual: cumulative, expected });
  }
  const calibrationWeek = Math.ceil((daysBetween(start, opts.calibrationEnd) + 1) / 7);
  const at = (k: number): TrackingPoint | undefined => tracking[Math.min(k, weeks) - 1];
  const checkpoints = [...new Set([calibrationWeek, calibrationWeek + 13, weeks])]
    .filter((k) => k >= 1 && k <= weeks)
    .map((k) => {
      const p = at(k);
      return { week: k, actual: p?.actual ?? 0, expected: p?.expected ?? 0, error: relative(p?.expected ?? 0, p?.actual ?? 0) };
    });

  const holdoutPeriods = daysBetween(opts.calibrationEnd, holdoutEnd) / pd;
  const bins = Array.from({ length: CENSOR + 1 }, (_, i) => ({ x: i === CENSOR ? `${CENSOR}+` : String(i), members: 0, actual: 0, expected: 0 }));
  for (const r of await db.all(sql('holdout_by_history'), [opts.calibrationEnd, holdoutEnd])) {
    const x = int(r, 'x');
    const n = int(r, 'n');
    const bin = bins[Math.min(x, CENSOR)];
    if (bin === undefined) continue;
    bin.members += n;
    bin.actual += int(r, 'holdout');
    bin.expected += n * model.conditional(holdoutPeriods, x, int(r, 'tx_days') / pd, int(r, 't_days') / pd);
  }
  const holdoutActual = bins.reduce((s, b) => s + b.actual, 0);
  const holdoutExpected = bins.reduce((s, b) => s + b.expected, 0);
  const conditional = bins.filter((b) => b.members > 0).map((b) => ({ x: b.x, members: b.members, actual: b.actual / b.members, expected: b.expected / b.members }));

  // Weekly holdout increments: a smooth model cannot follow seasonal swings.
  let absError = 0;
  let actualSum = 0;
  let holdoutWeeks = 0;
  for (let k = calibrationWeek + 1; k <= weeks; k++) {
    const cur = at(k);
    const prev = at(k - 1);
    if (cur === undefined || prev === undefined) continue;
    absError += Math.abs(cur.expected - prev.expected - (cur.actual - prev.actual));
    actualSum += cur.actual - prev.actual;
    holdoutWeeks++;
  }
  const weeklyError = holdoutWeeks > 0 && actualSum > 0 ? absError / actualSum : null;
  const holdout = { periods: holdoutPeriods, actual: holdoutActual, expected: holdoutExpected, error: relative(holdoutExpected, holdoutActual) };
  const { verdict, notes } = judge(fit, holdout.error, weeklyError, conditional);
  return { fit, cohort_start: start, holdout_end: holdoutEnd, calibration_week: calibrationWeek, tracking, checkpoints, holdout, conditional, weekly_holdout_error: weeklyError, verdict, notes };
}

/** Plain words on how well the model did; thresholds in docs/models.md. */
function judge(
  fit: StoredFit,
  holdoutError: number | null,
  weeklyError: number | null,
  conditional: ReadonlyArray<{ x: string; members: number; actual: number; expected: number }>,
): { verdict: 'good' | 'fair' | 'poor'; notes: string[] } {
  const notes: string[] = [];
  let rank = 0;
  if (!fit.converged) {
    notes.push('The optimiser did not converge: the parameters are not a maximum of the likelihood.');
    rank = 2;
  }
  if (holdoutError === null) {
    notes.push('No repeat occasions in the holdout: the prediction cannot be checked.');
    rank = Math.max(rank, 1);
  } else {
    const pct = `${(Math.abs(holdoutError) * 100).toFixed(1)}%`;
    if (Math.abs(holdoutError) <= 0.05) notes.push(`Holdout repeat occasions predicted within ${pct}.`);
    else if (Math.abs(holdoutError) <= 0.15) {
      notes.push(`Holdout repeat occasions ${holdoutError > 0 ? 'over' : 'under'}-predicted by ${pct}: usable for ranking members, less so for forecasts.`);
      rank = Math.max(rank, 1);
    } else {
      notes.push(
        `The model fits badly: holdout repeat occasions ${holdoutError > 0 ? 'over' : 'under'}-predicted by ${pct}. Buying may have changed after the calibration period (growth, a new channel, a lost assortment).`,
      );
      rank = 2;
    }
  }
  if (weeklyError !== null && weeklyError > 0.3) {
    notes.push(
      `Week-to-week purchases in the holdout stray ${(weeklyError * 100).toFixed(0)}% from the model's smooth curve: strong seasonality or promotions, which these models do not describe. Trust totals over months, not the timing of single weeks.`,
    );
    rank = Math.max(rank, 1);
  }
  const big = conditional.filter((c) => c.members >= 30 && c.actual > 0);
  const worst = big.reduce<{ x: string; e: number } | null>((w, c) => {
    const e = Math.abs(c.expected - c.actual) / c.actual;
    return w === null || e > w.e ? { x: c.x, e } : w;
  }, null);
  if (worst !== null && worst.e > 0.3) {
    notes.push(`Members with ${worst.x} calibration repeat occasions are predicted ${(worst.e * 100).toFixed(0)}% off their holdout mean.`);
    rank = Math.max(rank, 1);
  }
  return { verdict: rank === 0 ? 'good' : rank === 1 ? 'fair' : 'poor', notes };
}
