/**
 * k-means (Lloyd's iterations from a seeded k-means++ start) over standardized features, with k
 * chosen by the largest mean silhouette on a seeded sample when not given.
 */
import { Rng } from '../core/random.js';

/** Cluster of each point and the centres. */
export interface Clustering {
  k: number;
  assignment: Int32Array;
  centres: number[][];
  /** Mean silhouette on the sample (the criterion that chose k). */
  silhouette: number;
}

function dist2(cols: readonly Float64Array[], i: number, c: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < cols.length; j++) s += ((cols[j]?.[i] ?? 0) - (c[j] ?? 0)) ** 2;
  return s;
}

/** k-means with a given k; replayable for a given seed. */
export function kmeans(cols: readonly Float64Array[], k: number, seed: string, maxIterations = 100): { assignment: Int32Array; centres: number[][] } {
  const n = cols[0]?.length ?? 0;
  const rng = new Rng(seed);
  const point = (i: number): number[] => cols.map((c) => c[i] ?? 0);
  const centres: number[][] = [point(rng.int(0, n - 1))];
  const d = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  while (centres.length < k) {
    const last = centres[centres.length - 1] ?? [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      d[i] = Math.min(d[i] ?? 0, dist2(cols, i, last));
      total += d[i] ?? 0;
    }
    let target = rng.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= d[i] ?? 0;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(point(pick));
  }
  const assignment = new Int32Array(n).fill(-1);
  for (let it = 0; it < maxIterations; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const dd = dist2(cols, i, centres[c] ?? []);
        if (dd < bestD) {
          bestD = dd;
          best = c;
        }
      }
      if (assignment[i] !== best) moved++;
      assignment[i] = best;
    }
    const sums = Array.from({ length: k }, () => new Array<number>(cols.length).fill(0));
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i] ?? 0;
      counts[c] = (counts[c] ?? 0) + 1;
      const s = sums[c] ?? [];
      for (let j = 0; j < cols.length; j++) s[j] = (s[j] ?? 0) + (cols[j]?.[i] ?? 0);
    }
    for (let c = 0; c < k; c++) if ((counts[c] ?? 0) > 0) centres[c] = (sums[c] ?? []).map((v) => v / (counts[c] ?? 1));
    if (moved === 0) break;
  }
  return { assignment, centres };
}

/** Mean silhouette of a clustering over the sample points (indices). */
export function silhouette(cols: readonly Float64Array[], assignment: Int32Array, k: number, sample: readonly number[]): number {
  let total = 0;
  let counted = 0;
  for (const i of sample) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (const j of sample) {
      if (j === i) continue;
      const c = assignment[j] ?? 0;
      let s = 0;
      for (const col of cols) s += ((col[i] ?? 0) - (col[j] ?? 0)) ** 2;
      sums[c] = (sums[c] ?? 0) + Math.sqrt(s);
      counts[c] = (counts[c] ?? 0) + 1;
    }
    const own = assignment[i] ?? 0;
    if ((counts[own] ?? 0) === 0) continue;
    const a = (sums[own] ?? 0) / (counts[own] ?? 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && (counts[c] ?? 0) > 0) b = Math.min(b, (sums[c] ?? 0) / (counts[c] ?? 1));
    if (!Number.isFinite(b)) continue;
    total += (b - a) / Math.max(a, b);
    counted++;
  }
  return counted === 0 ? 0 : total / counted;
}

/** Clusters with k given, or chosen from 2..maxK by the largest mean silhouette on a sample of up to 2,000 points. */
export function cluster(cols: readonly Float64Array[], seed: string, k?: number, maxK = 8): Clustering {
  const n = cols[0]?.length ?? 0;
  const rng = new Rng(`${seed}:sample`);
  const sample: number[] = [];
  for (let i = 0; i < n; i++) {
    if (sample.length < 2000) sample.push(i);
    else {
      const j = rng.int(0, i);
      if (j < 2000) sample[j] = i;
    }
  }
  const candidates = k !== undefined ? [k] : Array.from({ length: Math.max(0, Math.min(maxK, n - 1) - 1) }, (_, i) => i + 2);
  let best: Clustering | null = null;
  for (const kk of candidates) {
    const r = kmeans(cols, kk, `${seed}:${kk}`);
    const s = silhouette(cols, r.assignment, kk, sample);
    if (best === null || s > best.silhouette) best = { k: kk, assignment: r.assignment, centres: r.centres, silhouette: s };
  }
  if (best === null) throw new RangeError('clustering needs at least 3 members');
  return best;
}
