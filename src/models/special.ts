/**
 * Special functions for the customer models, in double precision: log-gamma, digamma, the
 * log of a sum of exponentials and the log of the Gauss hypergeometric series.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS_G + 2; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ψ(x) = d/dx ln Γ(x) for x > 0 (recurrence up to 12, then the asymptotic series). */
export function digamma(x: number): number {
  let result = 0;
  let y = x;
  while (y < 12) {
    result -= 1 / y;
    y += 1;
  }
  const f = 1 / (y * y);
  return result + Math.log(y) - 0.5 / y - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln(e^a - e^b) for a >= b (-Infinity when they are equal). */
export function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (b >= a) return -Infinity;
  return a + Math.log1p(-Math.exp(b - a));
}

/**
 * ln 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1 by its power series. Every term is positive
 * there, so the sum is accumulated with a running scale and never overflows, however large the
 * terms grow before they shrink (large purchase counts with z near 1).
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (z === 0) return 0;
  if (!(z > 0 && z < 1)) throw new RangeError(`hypergeometric series needs 0 <= z < 1, got ${z}`);
  let logScale = 0;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 1_000_000; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term <= sum * 1e-17 && (a + n) * (b + n) * z < (c + n) * (n + 1)) break;
    if (sum > 1e250) {
      logScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
  }
  return logScale + Math.log(sum);
}
