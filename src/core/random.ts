/**
 * Replayable pseudo-random numbers. An `Rng` is the sfc32 generator (32-bit
 * integer arithmetic) seeded by a cyrb128 hash of a string key, so the same seed
 * always yields the same sequence on every platform. `fork(label)` derives an
 * independent stream from the key alone (not from how much the parent has drawn),
 * which lets a generator give each entity its own stream and stay deterministic
 * whichever parts of the output are written.
 */

export type Seed = string | number;

/** cyrb128: a fast 128-bit string hash, used only to seed streams. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit hash of a string (unsigned), for stateless deterministic choices. */
export function hash32(str: string): number {
  return cyrb128(str)[0];
}

/** ln(n!) for integer n >= 0 (exact sum for small n, Stirling series beyond). */
function logFactorial(n: number): number {
  if (n < 2) return 0;
  if (n < 16) {
    let s = 0;
    for (let i = 2; i <= n; i++) s += Math.log(i);
    return s;
  }
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** A seeded random stream. */
export class Rng {
  /** The key this stream was seeded from; forks extend it. */
  readonly key: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: Seed) {
    this.key = String(seed);
    const [a, b, c, d] = cyrb128(this.key);
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // Discard the first outputs so that similar keys diverge fully.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('pick from an empty array');
    return v;
  }

  /** An element chosen with probability proportional to its weight (linear scan; see WeightedTable for hot paths). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += weights[i] ?? 0;
    let r = this.next() * total;
    let chosen: T | undefined;
    for (let i = 0; i < items.length; i++) {
      chosen = items[i];
      r -= weights[i] ?? 0;
      if (r < 0) break;
    }
    if (chosen === undefined) throw new Error('weighted pick from an empty array');
    return chosen;
  }

  /** A normal deviate (Box-Muller, the second value of each pair is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + sd * this.spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** exp(normal(mu, sigma)). */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** An exponential deviate with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** A gamma deviate with the given shape and scale (mean shape*scale), by Marsaglia and Tsang. */
  gamma(shape: number, scale = 1): number {
    if (shape < 1) {
      const u = this.next();
      return this.gamma(shape + 1, scale) * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** A beta deviate in (0, 1), mean a/(a+b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x + y === 0 ? 0.5 : x / (x + y);
  }

  /** A Poisson count with mean lambda (multiplication method below 30, PTRS rejection above). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }

  /** An independent stream derived from this stream's key and the label, whatever has been drawn so far. */
  fork(label: string | number): Rng {
    return new Rng(`${this.key}/${label}`);
  }
}

/** A fixed weighted choice, prepared once and sampled in O(log n) by binary search over cumulative weights. */
export class WeightedTable<T> {
  private readonly items: readonly T[];
  private readonly cum: Float64Array;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('WeightedTable needs as many weights as items, at least one');
    this.items = items;
    this.cum = new Float64Array(items.length);
    let s = 0;
    for (let i = 0; i < items.length; i++) {
      const w = weights[i] ?? 0;
      if (!(w >= 0)) throw new Error('weights must be non-negative');
      s += w;
      this.cum[i] = s;
    }
    if (s <= 0) throw new Error('weights must not all be zero');
  }

  /** One item, drawn from the given stream. */
  sample(rng: Rng): T {
    const item = this.items[upperBound(this.cum, rng.next() * (this.cum[this.cum.length - 1] ?? 0), this.cum.length)];
    if (item === undefined) throw new Error('WeightedTable is empty');
    return item;
  }
}

/** The first index i in [0, n) with cum[i] > x (n - 1 if none): the bucket x falls in. */
export function upperBound(cum: Float64Array, x: number, n: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cum[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
