/**
 * Unique codes in bulk: a pattern whose `#` are drawn from a charset, after an optional prefix
 * (`SALE-####-####`). The code space is charset size ^ number of `#`; a request for more than a
 * tenth of it is refused, so a guessed code hits a real one at most one time in ten and
 * generation never grinds through collisions. Randomness comes from a source: crypto in
 * production (unguessable codes), a seeded generator in tests (replayable).
 */
import { randomBytes } from 'node:crypto';
import type { CouponFailure } from './result.js';

/** No 0/O, 1/I/L: codes are read aloud and typed at tills. */
export const DEFAULT_CHARSET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const DEFAULT_PATTERN = '########';

export interface CodeSpec {
  readonly pattern: string;
  readonly charset: string;
  readonly prefix: string;
}

/** A source of uniform integers in [0, n). */
export interface RandomSource {
  below(n: number): number;
}

/** Unguessable randomness from the operating system, drawn in blocks. */
export function cryptoSource(): RandomSource {
  let buf = randomBytes(0);
  let at = 0;
  return {
    below(n: number): number {
      // Rejection sampling on bytes keeps every character equally likely.
      const limit = 256 - (256 % n);
      for (;;) {
        if (at >= buf.length) {
          buf = randomBytes(65536);
          at = 0;
        }
        const b = buf[at++] ?? 0;
        if (b < limit) return b % n;
      }
    },
  };
}

/** Size of the code space of a spec, exactly. */
export function codeSpace(spec: CodeSpec): bigint {
  const slots = [...spec.pattern].filter((c) => c === '#').length;
  return BigInt(new Set(spec.charset).size) ** BigInt(slots);
}

/** Checks a spec and a count; null when fine. */
export function checkSpec(spec: CodeSpec, count: number): CouponFailure | null {
  const errors = [];
  if (!/^[A-Za-z0-9-]*$/.test(spec.prefix)) errors.push({ path: '$.prefix', reason: 'letters, digits and - only' });
  if (!/^[#A-Za-z0-9-]+$/.test(spec.pattern) || !spec.pattern.includes('#'))
    errors.push({ path: '$.pattern', reason: 'needs at least one # (one random character); letters, digits and - stay as written' });
  if (new Set(spec.charset).size < 2 || !/^[A-Za-z0-9]+$/.test(spec.charset)) errors.push({ path: '$.charset', reason: 'at least two different letters or digits' });
  if (!Number.isInteger(count) || count < 1) errors.push({ path: '$.count', reason: 'a whole number of at least 1' });
  if (errors.length > 0) return { type: 'invalid_request', errors };
  const space = codeSpace(spec);
  if (BigInt(count) * 10n > space) return { type: 'code_space_too_small', space: space.toString(), count, need: (BigInt(count) * 10n).toString() };
  return null;
}

/** `count` distinct codes of the spec, none of them in `avoid`. The spec must have passed checkSpec. */
export function generateCodes(spec: CodeSpec, count: number, random: RandomSource, avoid: ReadonlySet<string> = new Set()): string[] {
  const chars = [...new Set(spec.charset)];
  const pattern = [...spec.pattern];
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    let code = spec.prefix;
    for (const c of pattern) code += c === '#' ? (chars[random.below(chars.length)] ?? '') : c;
    if (seen.has(code) || avoid.has(code)) continue;
    seen.add(code);
    out.push(code);
  }
  return out;
}

/**
 * Codes from a file printed elsewhere: one per line, or the first column of a CSV (a header
 * line `code` is skipped). Every bad or repeated line is named; a file with any is refused whole.
 */
export function parseCodeFile(content: string): { ok: true; codes: string[] } | { ok: false; errors: Array<{ path: string; reason: string }> } {
  const errors: Array<{ path: string; reason: string }> = [];
  const codes: string[] = [];
  const first = new Map<string, number>();
  content.split(/\r?\n/).forEach((raw, i) => {
    const cell = (raw.split(',')[0] ?? '').trim().replace(/^"|"$/g, '');
    if (cell === '' || (i === 0 && cell.toLowerCase() === 'code')) return;
    if (!/^[A-Za-z0-9-]{4,64}$/.test(cell)) return void errors.push({ path: `line ${i + 1}`, reason: `'${cell.slice(0, 70)}' is not a code (4-64 letters, digits, -)` });
    const earlier = first.get(cell);
    if (earlier !== undefined) return void errors.push({ path: `line ${i + 1}`, reason: `${cell} repeats line ${earlier}` });
    first.set(cell, i + 1);
    codes.push(cell);
  });
  if (codes.length === 0 && errors.length === 0) errors.push({ path: 'file', reason: 'no codes' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, codes };
}
