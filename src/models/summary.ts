/** Calibration summaries read from the analytical store's purchase occasions. */
import { sqlFile, namedStatements, str, int, type Db } from '../core/db/index.js';
import type { Histories, Spends } from './histories.js';

const sql = namedStatements(sqlFile(import.meta.url, 'summary.sql'));

/**
 * Where summaries are read from: the occasions, or the member table a scoring run has built from
 * them (scores.sql), which holds the same per-member summaries.
 */
export type SummarySource = 'occasions' | 'members';
const pick = (name: string, source: SummarySource): string => sql(source === 'members' ? `${name}_members` : name);

/** Period lengths in days. */
export type Period = 'week' | 'day';
export const PERIOD_DAYS: Record<Period, number> = { week: 7, day: 1 };

/** Distinct calibration histories in whole days: x, days to the last occasion, days to the end, members. */
export interface HistoryDays {
  x: number[];
  txDays: number[];
  tDays: number[];
  count: number[];
}

/** Reads the distinct calibration histories in whole days, sorted by x. */
export async function readHistoryDays(db: Db, calibrationEnd: string, source: SummarySource = 'occasions'): Promise<HistoryDays> {
  const out: HistoryDays = { x: [], txDays: [], tDays: [], count: [] };
  await db.forEachIntChunk(pick('histories', source), source === 'members' ? [] : [calibrationEnd], (chunk) => {
    for (const v of chunk[0] ?? []) out.x.push(v);
    for (const v of chunk[1] ?? []) out.txDays.push(v);
    for (const v of chunk[2] ?? []) out.tDays.push(v);
    for (const v of chunk[3] ?? []) out.count.push(v);
  });
  return out;
}

/** Distinct calibration histories up to and including the calibration end day, in periods. */
export async function readHistories(db: Db, calibrationEnd: string, period: Period, source: SummarySource = 'occasions'): Promise<Histories> {
  const h = await readHistoryDays(db, calibrationEnd, source);
  const days = PERIOD_DAYS[period];
  return {
    x: Float64Array.from(h.x),
    tx: Float64Array.from(h.txDays, (d) => d / days),
    T: Float64Array.from(h.tDays, (d) => d / days),
    txDays: Int32Array.from(h.txDays),
    tDays: Int32Array.from(h.tDays),
    periodDays: days,
    count: Float64Array.from(h.count),
  };
}

/** Repeaters' repeat occasions and mean repeat-occasion value up to the calibration end. */
export async function readSpends(db: Db, calibrationEnd: string, source: SummarySource = 'occasions'): Promise<Spends> {
  const x: number[] = [];
  const mean: number[] = [];
  await db.forEachIntChunk(pick('spends', source), source === 'members' ? [] : [calibrationEnd], (chunk) => {
    for (const v of chunk[0] ?? []) x.push(v);
    for (const v of chunk[1] ?? []) mean.push(v);
  });
  return { x: Float64Array.from(x), mean: Float64Array.from(mean) };
}

/** One member's calibration summary (null when the member has no occasion by then). */
export interface MemberSummary {
  x: number;
  t_x: number;
  T: number;
  mean_repeat_value: string | null;
}

/** Reads one member's calibration summary. */
export async function readMemberSummary(db: Db, memberId: string, calibrationEnd: string, period: Period): Promise<MemberSummary | null> {
  const row = await db.one(sql('member'), [calibrationEnd, memberId]);
  if (row === undefined || int(row, 'x') < 0) return null;
  const days = PERIOD_DAYS[period];
  return { x: int(row, 'x'), t_x: int(row, 'tx_days') / days, T: int(row, 't_days') / days, mean_repeat_value: str(row, 'mean_repeat_value') };
}

/** Members with an occasion on or before the calibration end. */
export async function countCustomers(db: Db, calibrationEnd: string, source: SummarySource = 'occasions'): Promise<number> {
  return int(await db.one(pick('customers', source), source === 'members' ? [] : [calibrationEnd]), 'n');
}
