/**
 * Per-member scores of one run, stored for the member profile, segment rules and exports:
 * P(alive), expected purchases over a horizon, the expected next purchase date, expected average
 * spend, CLV and the churn-risk band (definitions in docs/models.md).
 */
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { getSetting } from '../core/settings/index.js';
import { bgnbdExpectedIfAlive, bgnbdPAlive } from './bgnbd.js';
import { bgnbdParams, gammaGammaParams, paretoNbdParams } from './fit.js';
import { nextPurchaseDays, paretoNbdNextPurchaseDays } from './next-purchase.js';
import { paretoNbdExpectedIfAlive, paretoNbdPAlive } from './paretonbd.js';
import { checkDay, ensureFit, ModelError } from './service.js';
import type { Histories } from './histories.js';
import type { ModelFit } from './schema.js';
import { PERIOD_DAYS, readHistories, type Period } from './summary.js';
import type { ModelScoresSummary } from '../contracts/index.js';

const sql = namedStatements(sqlFile(import.meta.url, 'scores.sql'));

/** How a scoring run is set up. */
export interface ScoreSettings {
  model: 'bgnbd' | 'paretonbd';
  calibrationEnd: string;
  period: Period;
  /** Periods after the calibration end for expected purchases. */
  horizon: number;
  /** Periods of CLV. */
  clvHorizon: number;
  /** Yearly discount rate of CLV (0.1 = 10%), turned into a rate per period. */
  annualDiscountRate: number;
  /** Gross margin rate (0.3 = 30%); default: the campaigns.default_margin_percent setting. */
  marginRate?: number;
  /** P(alive) below `high` is high churn risk, below `medium` medium, else low. */
  bands: { high: number; medium: number };
}

/** Defaults: a quarter ahead, a year of CLV at 10% a year, bands 0.3 and 0.7. */
export function defaultScoreSettings(calibrationEnd: string, period: Period = 'week', model: 'bgnbd' | 'paretonbd' = 'bgnbd'): ScoreSettings {
  return { model, calibrationEnd, period, horizon: period === 'week' ? 13 : 91, clvHorizon: period === 'week' ? 52 : 365, annualDiscountRate: 0.1, bands: { high: 0.3, medium: 0.7 } };
}

/** What a scoring run stored. */
export interface ScoreRun {
  settings: ScoreSettings & { marginRate: number };
  members: number;
  histories: number;
  churn_risk: { high: number; medium: number; low: number };
  mean_p_alive: number;
  expected_purchases: number;
  clv: string | null;
  with_next_purchase_date: number;
  spend_model: boolean;
}

/**
 * Expected purchases of a member alive at T over the horizon, and discounted over the CLV horizon:
 * Σ_{k=1..H} (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k, whole periods, each period's purchases discounted
 * from its end. Both depend on (x, T) only; a history multiplies them by its P(alive).
 */
function scoreIfAlive(ifAlive: (t: number) => number, horizon: number, clvHorizon: number, perPeriodDiscount: number): { expected: number; discounted: number } {
  let previous = 0;
  let discounted = 0;
  let factor = 1;
  let expected = Number.NaN;
  for (let k = 1; k <= clvHorizon; k++) {
    const e = ifAlive(k);
    if (k === horizon) expected = e;
    factor /= 1 + perPeriodDiscount;
    discounted += (e - previous) * factor;
    previous = e;
  }
  return { expected: Number.isNaN(expected) ? ifAlive(horizon) : expected, discounted };
}

/** The scores of each distinct history, in the histories' order (NaN: no next purchase date). */
export interface HistoryScores {
  alive: Float64Array;
  expected: Float64Array;
  discounted: Float64Array;
  /** Days after the calibration end of the expected next purchase. */
  next: Float64Array;
}

/**
 * Scores each distinct calibration history under a BG/NBD or Pareto/NBD fit: P(alive), expected
 * purchases over the horizon, purchases over the CLV horizon discounted per period, and the next
 * purchase date. In memory; scoreMembers stores them for every member.
 */
export function scoreHistories(fit: ModelFit, h: Histories, settings: Pick<ScoreSettings, 'period' | 'horizon' | 'clvHorizon' | 'annualDiscountRate'>): HistoryScores {
  const pd = PERIOD_DAYS[settings.period];
  const perPeriodDiscount = (1 + settings.annualDiscountRate) ** (pd / 365) - 1;
  const n = h.x.length;
  const cols = {
    alive: new Float64Array(n),
    expected: new Float64Array(n),
    discounted: new Float64Array(n),
    next: new Float64Array(n),
  };
  const bg = fit.model === 'bgnbd' ? bgnbdParams(fit) : null;
  const pn = fit.model === 'paretonbd' ? paretoNbdParams(fit) : null;
  if (bg === null && pn === null) throw new Error(`scores need a bgnbd or paretonbd fit, got ${fit.model}`);
  // Expectations of a member alive at T depend on (x, T) only: far fewer pairs than histories.
  const ifAlive = new Map<number, { expected: number; discounted: number }>();
  for (let i = 0; i < n; i++) {
    const x = h.x[i] as number;
    const tx = h.tx[i] as number;
    const T = h.T[i] as number;
    const key = x * 1_000_000 + (h.tDays[i] as number);
    let s = ifAlive.get(key);
    if (s === undefined) {
      s = scoreIfAlive((t) => (bg !== null ? bgnbdExpectedIfAlive(bg, t, x, T) : pn !== null ? paretoNbdExpectedIfAlive(pn, t, x, T) : 0), settings.horizon, settings.clvHorizon, perPeriodDiscount);
      ifAlive.set(key, s);
    }
    const alive = bg !== null ? bgnbdPAlive(bg, x, tx, T) : pn !== null ? paretoNbdPAlive(pn, x, tx, T) : 0;
    cols.alive[i] = alive;
    cols.expected[i] = alive * s.expected;
    cols.discounted[i] = alive * s.discounted;
    const next = bg !== null ? nextPurchaseDays(bg, x, tx, T, settings.period) : pn !== null ? paretoNbdNextPurchaseDays(pn, x, tx, T, settings.period) : null;
    cols.next[i] = next ?? Number.NaN;
  }
  return cols;
}

/** Scores every member with an occasion by the calibration end, replacing the previous run. */
export async function scoreMembers(db: Db, clock: Clock, settings: ScoreSettings): Promise<ScoreRun> {
  checkDay(settings.calibrationEnd);
  if (!(settings.horizon > 0) || !(settings.clvHorizon >= 1) || !Number.isInteger(settings.clvHorizon)) throw new ModelError('horizons must be positive (the CLV horizon a whole number of periods)');
  if (!(settings.annualDiscountRate >= 0)) throw new ModelError('the discount rate must be 0 or more');
  if (!(settings.bands.high > 0 && settings.bands.high <= settings.bands.medium && settings.bands.medium < 1)) throw new ModelError('churn bands need 0 < high <= medium < 1');
  const marginRate = settings.marginRate ?? (await getSetting(db, 'campaigns.default_margin_percent')) / 100;
  // The member table first: fits missing for the key are made from it (one read of the occasions).
  await db.run(sql('members_table'), [settings.calibrationEnd]);
  // Distinct histories: read once, for the fit when it is missing and for the scores.
  const h = await readHistories(db, settings.calibrationEnd, settings.period, 'members');
  const fit = await ensureFit(db, clock, settings.model, settings.calibrationEnd, settings.period, 'members', h);
  const spendFit = await ensureFit(db, clock, 'gammagamma', settings.calibrationEnd, settings.period, 'members').catch((e: unknown) => {
    if (e instanceof ModelError) return null;
    throw e;
  });
  const pd = PERIOD_DAYS[settings.period];
  const cols = scoreHistories(fit, h, settings);
  await db.run(sql('histories_table'));
  await db.appendDoubles('_model_histories', [h.x, h.txDays, h.tDays, cols.alive, cols.expected, cols.discounted, cols.next]);
  const g = spendFit === null ? null : gammaGammaParams(spendFit);
  const full = { ...settings, marginRate };
  await db.transaction(async () => {
    await db.run(sql('clear'));
    await db.run(sql('insert'), [settings.calibrationEnd, pd, g?.p ?? null, g?.q ?? null, g?.gamma ?? null, marginRate, settings.bands.high, settings.bands.medium]);
    await db.run(sql('save_run'), [sqlTimestamp(clock.now()).slice(0, 19), settings.calibrationEnd, settings.period, settings.model, JSON.stringify(full)]);
  });
  await db.run('DROP TABLE IF EXISTS _model_histories');
  await db.run('DROP TABLE IF EXISTS _model_members');
  const sum = await db.one(sql('summary'));
  return {
    settings: full,
    members: int(sum, 'members'),
    histories: h.x.length,
    churn_risk: { high: int(sum, 'high'), medium: int(sum, 'medium'), low: int(sum, 'low') },
    mean_p_alive: Number(sum?.['mean_p_alive'] ?? 0),
    expected_purchases: Number(sum?.['expected_purchases'] ?? 0),
    clv: str(sum, 'clv'),
    with_next_purchase_date: int(sum, 'with_next_purchase_date'),
    spend_model: g !== null,
  };
}

/** One member's stored scores from the latest run, or null when the member was not scored. */
export interface MemberScores {
  calibration_end: string;
  period: string;
  model: string;
  x: number;
  t_x: number;
  T: number;
  p_alive: number;
  expected_purchases: number;
  horizon: number | null;
  next_purchase_date: string | null;
  expected_average_spend: string | null;
  clv: string | null;
  churn_risk: string;
}

/** Reads a member's scores from the latest scoring run. */
export async function memberScores(db: Db, memberId: string): Promise<MemberScores | null> {
  const r = await db.one(sql('member'), [memberId]);
  if (r === undefined) return null;
  const settings: unknown = JSON.parse(str(r, 'settings') ?? '{}');
  const horizon = typeof settings === 'object' && settings !== null && 'horizon' in settings && typeof settings.horizon === 'number' ? settings.horizon : null;
  return {
    calibration_end: str(r, 'calibration_end') ?? '',
    period: str(r, 'period') ?? '',
    model: str(r, 'model') ?? '',
    x: int(r, 'x'),
    t_x: Number(r['t_x']),
    T: Number(r['t_cal']),
    p_alive: Number(r['p_alive']),
    expected_purchases: Number(r['expected_purchases']),
    horizon,
    next_purchase_date: str(r, 'next_purchase_date'),
    expected_average_spend: str(r, 'expected_average_spend'),
    clv: str(r, 'clv'),
    churn_risk: str(r, 'churn_risk') ?? '',
  };
}

/** The last day with an occasion (the default calibration end of a scoring run), or null. */
export async function lastOccasionDay(db: Db): Promise<string | null> {
  return str(await db.one(sql('last_day')), 'day');
}

/** The latest run's scores as CSV (one row per member; money as exact decimals). */
export async function exportScoresCsv(db: Db): Promise<string> {
  const cols = ['member_id', 'x', 't_x', 't_cal', 'p_alive', 'expected_purchases', 'next_purchase_date', 'expected_average_spend', 'clv', 'churn_risk'];
  const rows = await db.all(sql('export'));
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/** The latest scoring run as the console shows it: churn-risk bands, P(alive) by tenths, CLV by decile. */
export async function scoresSummary(db: Db): Promise<ModelScoresSummary> {
  const run = await db.one(sql('latest_run'));
  if (run === undefined) return { run: null };
  const sum = await db.one(sql('summary'));
  const settings: unknown = JSON.parse(str(run, 'settings') ?? '{}');
  const field = (k: string): unknown => (typeof settings === 'object' && settings !== null && k in settings ? Object.entries(settings).find(([n]) => n === k)?.[1] : undefined);
  const horizon = field('horizon');
  const bands = field('bands');
  const band = (k: 'high' | 'medium'): number | null => {
    const v = typeof bands === 'object' && bands !== null ? Object.entries(bands).find(([n]) => n === k)?.[1] : undefined;
    return typeof v === 'number' ? v : null;
  };
  const high = band('high');
  const medium = band('medium');
  const bins = new Map((await db.all(sql('p_alive_bins'))).map((r) => [int(r, 'bin'), int(r, 'members')]));
  return {
    run: {
      scored_at: str(run, 'scored_at') ?? '',
      calibration_end: str(run, 'calibration_end') ?? '',
      period: str(run, 'period') ?? '',
      model: str(run, 'model') ?? '',
      horizon: typeof horizon === 'number' ? horizon : null,
      bands: high === null || medium === null ? null : { high, medium },
      members: int(sum, 'members'),
      mean_p_alive: Number(sum?.['mean_p_alive'] ?? 0),
      churn_risk: { high: int(sum, 'high'), medium: int(sum, 'medium'), low: int(sum, 'low') },
      p_alive: Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, members: bins.get(i) ?? 0 })),
      clv_total: str(sum, 'clv'),
      clv_deciles: (await db.all(sql('clv_deciles'))).map((r) => ({
        decile: int(r, 'decile'),
        members: int(r, 'members'),
        min: str(r, 'min') ?? '0',
        max: str(r, 'max') ?? '0',
        total: str(r, 'total') ?? '0',
      })),
    },
  };
}
