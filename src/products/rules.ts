/**
 * Association rules from frequent itemsets, as arules' apriori builds them: one item on the right,
 * the rest on the left, every threshold inclusive and decided on counts.
 */
import type { Itemset } from './fpgrowth.js';
import { atLeast, type Ratio } from './ratio.js';

/** What a rule must reach. Length = items on both sides. */
export interface RuleThresholds {
  readonly minConfidence: Ratio;
  readonly minLift: Ratio;
  readonly minLength: number;
  readonly maxLength: number;
}

/** A rule over item ranks with the counts its measures come from. */
export interface RankRule {
  readonly antecedent: readonly number[];
  readonly consequent: number;
  /** Baskets holding both sides, the left side, the right side. */
  readonly count: number;
  readonly lhsCount: number;
  readonly rhsCount: number;
}

/** A rule as reported: item names, counts and the five measures. */
export interface Rule {
  antecedent: string[];
  consequent: string[];
  /** The items' keys (SKUs at item level), in the order of the names. */
  antecedent_keys: string[];
  consequent_keys: string[];
  length: number;
  count: number;
  antecedent_count: number;
  consequent_count: number;
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  /** null when confidence is 1 (infinite conviction). */
  conviction: number | null;
}

const keyOf = (items: readonly number[]): string => items.join(',');

/**
 * Every rule X => {y} from the frequent itemsets (X nonempty unless minLength is 1) that meets the
 * thresholds; `baskets` is the number of baskets (N) and `single` each item's count by rank.
 */
export function rulesFrom(itemsets: readonly Itemset[], baskets: number, single: ArrayLike<number>, t: RuleThresholds): RankRule[] {
  const counts = new Map<string, number>();
  for (const s of itemsets) counts.set(keyOf(s.items), s.count);
  const out: RankRule[] = [];
  const liftWanted = t.minLift.num > 0n;
  for (const s of itemsets) {
    const len = s.items.length;
    if (len < t.minLength || len > t.maxLength) continue;
    for (let j = 0; j < len; j++) {
      const y = s.items[j] ?? 0;
      const lhs = s.items.filter((_, k) => k !== j);
      const lhsCount = lhs.length === 0 ? baskets : counts.get(keyOf(lhs));
      // Every subset of a frequent itemset is frequent, so it was mined.
      if (lhsCount === undefined) throw new Error(`FP-growth lost the subset {${keyOf(lhs)}}`);
      if (!atLeast(s.count, lhsCount, t.minConfidence)) continue;
      const rhsCount = single[y] ?? 0;
      // lift = count x N / (lhs x rhs) >= L  <=>  count x N x den >= L.num x lhs x rhs
      if (liftWanted && BigInt(s.count) * BigInt(baskets) * t.minLift.den < t.minLift.num * BigInt(lhsCount) * BigInt(rhsCount)) continue;
      out.push({ antecedent: lhs, consequent: y, count: s.count, lhsCount, rhsCount });
    }
  }
  return out;
}

/** The measures of a rule over N baskets, with item names. */
export function describe(r: RankRule, baskets: number, names: readonly string[], keys: readonly string[]): Rule {
  const n = baskets;
  const label = (i: number): string => names[i] ?? String(i);
  const lhs = [...r.antecedent].sort((a, b) => textOrder(label(a), label(b)) || textOrder(keys[a] ?? '', keys[b] ?? ''));
  return {
    antecedent: lhs.map(label),
    consequent: [label(r.consequent)],
    antecedent_keys: lhs.map((i) => keys[i] ?? String(i)),
    consequent_keys: [keys[r.consequent] ?? String(r.consequent)],
    length: r.antecedent.length + 1,
    count: r.count,
    antecedent_count: r.lhsCount,
    consequent_count: r.rhsCount,
    support: r.count / n,
    confidence: r.count / r.lhsCount,
    lift: (r.count * n) / (r.lhsCount * r.rhsCount),
    leverage: (r.count * n - r.lhsCount * r.rhsCount) / (n * n),
    conviction: r.lhsCount === r.count ? null : ((n - r.rhsCount) * r.lhsCount) / (n * (r.lhsCount - r.count)),
  };
}

/** Plain code-point order (the same on every machine, unlike a locale's). */
export function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ruleText(r: Rule): string {
  return `{${r.antecedent.join(',')}} => {${r.consequent.join(',')}}`;
}

/** Compares two fractions a/b and c/d exactly (positive denominators). */
function compareFractions(a: number, b: number, c: number, d: number): number {
  const x = BigInt(a) * BigInt(d);
  const y = BigInt(c) * BigInt(b);
  return x > y ? 1 : x < y ? -1 : 0;
}

/**
 * Report order: lift, then support, then confidence (all descending, compared exactly on
 * counts), then the rule's text.
 */
export function compareRules(a: Rule, b: Rule): number {
  if (a.lift !== b.lift) {
    const exact = compareFractions(a.count, a.antecedent_count * a.consequent_count, b.count, b.antecedent_count * b.consequent_count);
    if (exact !== 0) return -exact;
  }
  if (a.count !== b.count) return b.count - a.count;
  const conf = compareFractions(a.count, a.antecedent_count, b.count, b.antecedent_count);
  if (conf !== 0) return -conf;
  return textOrder(ruleText(a), ruleText(b));
}
