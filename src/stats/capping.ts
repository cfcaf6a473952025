/**
 * Percentile capping (winsorisation) of heavy-tailed per-member values. Most members spend
 * nothing, so the cap is a percentile of the non-zero values, not of all members: the 95th
 * percentile of everyone would be zero.
 */

/**
 * The q-quantile (0 <= q <= 1) of sorted values, interpolating linearly between order
 * statistics (the default of numpy's `percentile` and R's type 7). NaN when there are none.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, n - 1)] ?? a;
  return a + (h - lo) * (b - a);
}

/** Where values are capped: above `upper` and below `lower` (a bound is null when nothing is capped on that side). */
export interface CapBounds {
  readonly upper: number | null;
  readonly lower: number | null;
}

/**
 * Cap bounds at percentile q of the positive values (upper) and of the magnitudes of the
 * negative values (lower, for margins that can be negative). Zeros never set a bound.
 */
export function capBounds(values: Float64Array, q: number): CapBounds {
  let pos = 0;
  let neg = 0;
  for (const v of values) {
    if (v > 0) pos++;
    else if (v < 0) neg++;
  }
  const p = new Float64Array(pos);
  const m = new Float64Array(neg);
  let i = 0;
  let j = 0;
  for (const v of values) {
    if (v > 0) p[i++] = v;
    else if (v < 0) m[j++] = -v;
  }
  p.sort();
  m.sort();
  return { upper: pos === 0 ? null : quantileSorted(p, q), lower: neg === 0 ? null : -quantileSorted(m, q) };
}

/** A copy of values with each one held inside the bounds. */
export function capValues(values: Float64Array, b: CapBounds): Float64Array {
  const out = new Float64Array(values.length);
  const hi = b.upper ?? Infinity;
  const lo = b.lower ?? -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    out[i] = v > hi ? hi : v < lo ? lo : v;
  }
  return out;
}
