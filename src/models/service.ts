/** Fitting and predicting against the member base: the functions the CLI and the API call. */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { bgnbdConditionalExpected, bgnbdPAlive } from './bgnbd.js';
import { bgnbdParams, fitBgnbd, fitGammaGamma, fitParetoNbd, gammaGammaParams, paretoNbdParams } from './fit.js';
import { gammaGammaExpectedSpend, gammaGammaPopulationMean } from './gammagamma.js';
import { membersIn, type Histories } from './histories.js';
import { nextPurchaseDays, addDays, paretoNbdNextPurchaseDays } from './next-purchase.js';
import { paretoNbdConditionalExpected, paretoNbdPAlive } from './paretonbd.js';
import type { ModelFit, StoredFit } from './schema.js';
import { loadFit, saveFit } from './store.js';
import { countCustomers, readHistories, readMemberSummary, readSpends, type Period, type SummarySource } from './summary.js';

/** An expected failure of a models command (bad date, no data): a value the shells map to a message. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Checks a calibration end day (YYYY-MM-DD, a real date). */
export function checkDay(day: string, what = 'calibration end'): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) {
    throw new ModelError(`${what} must be a date YYYY-MM-DD, got '${day}'`);
  }
  return day;
}

/**
 * Fits a model on the occasions up to the calibration end and stores the fit under its key
 * (source 'members': from the member table of a scoring run in progress; `histories`: the
 * calibration histories already read from that source).
 */
export async function fitModel(db: Db, clock: Clock, model: ModelFit['model'], calibrationEnd: string, period: Period, source: SummarySource = 'occasions', histories?: Histories): Promise<StoredFit> {
  checkDay(calibrationEnd);
  const nothing = (): ModelError => new ModelError(`no purchase occasions on or before ${calibrationEnd}: nothing to fit`);
  let fit: ModelFit;
  if (model === 'gammagamma') {
    const customers = await countCustomers(db, calibrationEnd, source);
    if (customers === 0) throw nothing();
    const spends = await readSpends(db, calibrationEnd, source);
    if (spends.x.length < 2) throw new ModelError(`Gamma-Gamma needs repeaters with a positive repeat spend; ${spends.x.length} on or before ${calibrationEnd}`);
    fit = fitGammaGamma(spends, customers);
  } else {
    const h = histories ?? (await readHistories(db, calibrationEnd, period, source));
    if (membersIn(h) === 0) throw nothing();
    fit = model === 'bgnbd' ? fitBgnbd(h) : fitParetoNbd(h);
  }
  return saveFit(db, clock, fit, calibrationEnd, period);
}

/**
 * The stored fit for the key, fitting (and storing) it first when there is none (from `histories`
 * when the caller has read them already).
 */
export async function ensureFit(
  db: Db,
  clock: Clock,
  model: ModelFit['model'],
  calibrationEnd: string,
  period: Period,
  source: SummarySource = 'occasions',
  histories?: Histories,
): Promise<StoredFit> {
  return (await loadFit(db, model, calibrationEnd, period)) ?? fitModel(db, clock, model, calibrationEnd, period, source, histories);
}

/** One member's predictions from the calibration history. */
export interface MemberPrediction {
  member_id: string;
  model: 'bgnbd' | 'paretonbd';
  calibration_end: string;
  period: Period;
  horizon: number;
  x: number;
  t_x: number;
  T: number;
  p_alive: number;
  expected_purchases: number;
  /** First day after the calibration end on which P(bought again) reaches 50%; null if never within two years. */
  next_purchase_date?: string | null;
  /** When a Gamma-Gamma fit exists for the same key: the member's expected occasion value. */
  expected_average_spend?: number;
  params: Record<string, number>;
}

/** Predicts one member (a member ID; the shells resolve references with findMember) from the stored fit for the key. */
export async function predictMember(
  db: Db,
  clock: Clock,
  memberId: string,
  opts: { calibrationEnd: string; horizon: number; period: Period; model: 'bgnbd' | 'paretonbd' },
): Promise<MemberPrediction> {
  checkDay(opts.calibrationEnd);
  if (!(opts.horizon > 0)) throw new ModelError(`horizon must be a positive number of periods, got ${opts.horizon}`);
  const s = await readMemberSummary(db, memberId, opts.calibrationEnd, opts.period);
  if (s === null) throw new ModelError(`member ${memberId} has no purchase occasion on or before ${opts.calibrationEnd}`);
  const fit = await ensureFit(db, clock, opts.model, opts.calibrationEnd, opts.period);
  const base = { member_id: memberId, model: opts.model, calibration_end: opts.calibrationEnd, period: opts.period, horizon: opts.horizon, x: s.x, t_x: s.t_x, T: s.T };
  let out: MemberPrediction;
  if (opts.model === 'bgnbd') {
    const p = bgnbdParams(fit);
    const days = nextPurchaseDays(p, s.x, s.t_x, s.T, opts.period);
    out = {
      ...base,
      p_alive: bgnbdPAlive(p, s.x, s.t_x, s.T),
      expected_purchases: bgnbdConditionalExpected(p, opts.horizon, s.x, s.t_x, s.T),
      next_purchase_date: days === null ? null : addDays(opts.calibrationEnd, days),
      params: fit.params,
    };
  } else {
    const p = paretoNbdParams(fit);
    const days = paretoNbdNextPurchaseDays(p, s.x, s.t_x, s.T, opts.period);
    out = {
      ...base,
      p_alive: paretoNbdPAlive(p, s.x, s.t_x, s.T),
      expected_purchases: paretoNbdConditionalExpected(p, opts.horizon, s.x, s.t_x, s.T),
      next_purchase_date: days === null ? null : addDays(opts.calibrationEnd, days),
      params: fit.params,
    };
  }
  const spend = await loadFit(db, 'gammagamma', opts.calibrationEnd, opts.period);
  if (spend !== null) {
    const g = gammaGammaParams(spend);
    const mean = s.mean_repeat_value === null ? 0 : Number(s.mean_repeat_value);
    out.expected_average_spend = s.x > 0 && mean > 0 ? gammaGammaExpectedSpend(g, s.x, mean) : gammaGammaPopulationMean(g);
  }
  return out;
}
