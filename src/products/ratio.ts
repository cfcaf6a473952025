/**
 * Thresholds as exact fractions: "0.001" is 1/1000, so "support >= 0.001" over 9,835 baskets is
 * decided on integers (count x 1000 >= 9,835) and never on a rounded float.
 */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
  /** The decimal text it was read from. */
  readonly text: string;
}

/** Reads a non-negative decimal such as "0.25", ".006" or "2"; null when it is not one. */
export function parseRatio(text: string): Ratio | null {
  const t = text.trim();
  const m = /^(\d*)(?:\.(\d+))?$/.exec(t);
  if (m === null || t === '' || t === '.') return null;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (whole === '' && frac === '') return null;
  const den = 10n ** BigInt(frac.length);
  return { num: BigInt(whole === '' ? '0' : whole) * den + BigInt(frac === '' ? '0' : frac), den, text: t };
}

/** True when a / b >= r (b > 0). */
export function atLeast(a: number, b: number, r: Ratio): boolean {
  return BigInt(a) * r.den >= r.num * BigInt(b);
}

/** The smallest whole count c with c / total >= r. */
export function minCountOf(total: number, r: Ratio): number {
  const need = r.num * BigInt(total);
  const c = need / r.den + (need % r.den === 0n ? 0n : 1n);
  return Number(c);
}
