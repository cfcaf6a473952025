/** Calibration histories as the models read them: one row per distinct (x, t_x, T) with a count. */

/**
 * Distinct purchase histories: repeat occasions x, time of the last occasion t_x and the length of
 * observation T (both in periods from the first occasion), and how many members share each one.
 * Rows sorted by x let the likelihoods compute the terms that depend on x only once per value.
 */
export interface Histories {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
}

/** Repeaters' spend: repeat occasions x and the mean value of those occasions, one row per member. */
export interface Spends {
  x: Float64Array;
  mean: Float64Array;
}

/** Builds histories from plain rows (tests and the benchmark's synthetic data). */
export function historiesOf(rows: ReadonlyArray<{ x: number; tx: number; T: number; count?: number }>): Histories {
  const sorted = [...rows].sort((p, q) => p.x - q.x);
  return {
    x: Float64Array.from(sorted, (r) => r.x),
    tx: Float64Array.from(sorted, (r) => r.tx),
    T: Float64Array.from(sorted, (r) => r.T),
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
