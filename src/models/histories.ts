/** Calibration histories as the models read them: one row per distinct (x, t_x, T) with a count. */

/**
 * Distinct purchase histories: repeat occasions x, time of the last occasion t_x and the length of
 * observation T (in periods from the first occasion; also kept in whole days, which take few
 * distinct values, so a likelihood can compute its logarithms once per day instead of per row),
 * and how many members share each one. Rows sorted by x let the likelihoods compute the terms
 * that depend on x only once per value.
 */
export interface Histories {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  txDays: Int32Array;
  tDays: Int32Array;
  periodDays: number;
  count: Float64Array;
}

/** Repeaters' spend: repeat occasions x and the mean value of those occasions, one row per member. */
export interface Spends {
  x: Float64Array;
  mean: Float64Array;
}

/** Builds histories from whole-day rows (sorted by x here). */
export function historiesOf(rows: ReadonlyArray<{ x: number; txDays: number; tDays: number; count?: number }>, periodDays: number): Histories {
  const sorted = [...rows].sort((p, q) => p.x - q.x);
  return {
    x: Float64Array.from(sorted, (r) => r.x),
    tx: Float64Array.from(sorted, (r) => r.txDays / periodDays),
    T: Float64Array.from(sorted, (r) => r.tDays / periodDays),
    txDays: Int32Array.from(sorted, (r) => r.txDays),
    tDays: Int32Array.from(sorted, (r) => r.tDays),
    periodDays,
    count: Float64Array.from(sorted, (r) => r.count ?? 1),
  };
}

/** Number of members the histories describe. */
export function membersIn(h: Histories): number {
  let n = 0;
  for (const c of h.count) n += c;
  return n;
}

/** Number of members with at least one repeat occasion. */
export function repeatersIn(h: Histories): number {
  let n = 0;
  for (let i = 0; i < h.x.length; i++) if ((h.x[i] ?? 0) > 0) n += h.count[i] ?? 0;
  return n;
}
