/**
 * Clusters that explain themselves: k-means over standardized member features, each cluster
 * profiled in plain words, and a decision tree per cluster saying what separates it from the rest.
 */
import type { Db } from '../core/db/index.js';
import { readFeatures, standardize, type FeatureChoice } from './features.js';
import { cluster } from './kmeans.js';
import { ModelError } from './service.js';
import { explain, ruleText, type Explanation } from './tree.js';

/** One cluster: size, feature means against everyone's, words and the rules that pick it out. */
export interface ClusterProfile {
  cluster: number;
  members: number;
  share: number;
  means: Record<string, number>;
  words: string;
  explanation: Explanation;
  rules: string[];
}

/** The clustering of the member base as of a day. */
export interface ClusterReport {
  as_of: string;
  k: number;
  k_criterion: string;
  silhouette: number;
  seed: string;
  features: string[];
  overall: Record<string, number>;
  clusters: ClusterProfile[];
}

const mean = (col: Float64Array, pick: (i: number) => boolean): number => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < col.length; i++)
    if (pick(i)) {
      s += col[i] ?? 0;
      n++;
    }
  return n === 0 ? 0 : s / n;
};

/**
 * Clusters every member with an occasion by `asOf`; k given or chosen by silhouette (2-8). RFM and
 * tenure always; category, channel and tag shares when chosen.
 */
export async function clusterMembers(db: Db, asOf: string, opts: { k?: number; seed?: string } & FeatureChoice = {}): Promise<ClusterReport> {
  const f = await readFeatures(db, asOf, opts);
  const features = f.features;
  if (f.members.length < 10) throw new ModelError(`clustering needs at least 10 members with occasions by ${asOf}; ${f.members.length} found`);
  if (opts.k !== undefined && !(Number.isInteger(opts.k) && opts.k >= 2 && opts.k < f.members.length)) throw new ModelError(`k must be a whole number from 2, got ${opts.k}`);
  const seed = opts.seed ?? 'regulars';
  const z = standardize(f);
  const c = cluster(z, seed, opts.k);
  const names = features.map((x) => x.name);
  const overall = Object.fromEntries(features.map((x, j) => [x.name, mean(f.columns[j] ?? new Float64Array(), () => true)]));
  const clusters: ClusterProfile[] = [];
  for (let k = 0; k < c.k; k++) {
    const inGroup = Uint8Array.from(c.assignment, (a) => (a === k ? 1 : 0));
    const size = inGroup.reduce((s, v) => s + v, 0);
    const means = Object.fromEntries(features.map((x, j) => [x.name, mean(f.columns[j] ?? new Float64Array(), (i) => inGroup[i] === 1)]));
    // Words: a feature whose standardized mean is half a standard deviation or more from everyone's.
    const words = features.flatMap((x, j) => {
      const zm = mean(z[j] ?? new Float64Array(), (i) => inGroup[i] === 1);
      const v = means[x.name] ?? 0;
      const all = overall[x.name] ?? 0;
      if (Math.abs(zm) < 0.5) return [];
      return [`${zm > 0 ? x.high : x.low} (${x.label} ${v.toFixed(x.name.includes(':') ? 2 : 1)} against ${all.toFixed(x.name.includes(':') ? 2 : 1)} for everyone)`];
    });
    const explanation = explain(f.columns, names, inGroup);
    clusters.push({
      cluster: k + 1,
      members: size,
      share: size / f.members.length,
      means,
      words: words.length === 0 ? 'close to the average member on every feature' : words.join('; '),
      explanation,
      rules: explanation.rules.map(ruleText),
    });
  }
  clusters.sort((a, b) => b.members - a.members);
  return {
    as_of: asOf,
    k: c.k,
    k_criterion: opts.k !== undefined ? 'given' : 'largest mean silhouette for k = 2..8 on a seeded sample of up to 2,000 members',
    silhouette: c.silhouette,
    seed,
    features: names,
    overall,
    clusters,
  };
}
