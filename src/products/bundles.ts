/**
 * Bundle proposals (搭配套餐): item pairs and triples from association rules with high lift and
 * enough support, priced from the items' prices, with the members who bought part of the bundle
 * (its audience: segment rule `bundle_part`) and those who bought all of it.
 */
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';
import { associationRules, type RuleParams } from './associations.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'bundles.sql'));

/** Proposals from the rules over the window ending on asOf (at most `limit`, best lift first). */
export async function bundles(db: Db, asOf: string, window: { from: string }, p: RuleParams, limit: number): Promise<Record<string, unknown>> {
  const rules = await associationRules(db, asOf, { ...p, level: 'item', min_length: 2, max_length: Math.min(3, p.max_length), limit: Number.MAX_SAFE_INTEGER });
  // One proposal per itemset: its best rule (they share the count; lifts differ for triples).
  const seen = new Map<string, { skus: string[]; count: number; lift: number; confidence: number }>();
  for (const r of rules.rules) {
    const skus = [...r.antecedent_keys, ...r.consequent_keys].sort();
    const key = skus.join('\u0000');
    const had = seen.get(key);
    if (had === undefined || r.lift > had.lift) seen.set(key, { skus, count: r.count, lift: r.lift, confidence: r.confidence });
  }
  const chosen = [...seen.values()].sort((a, b) => b.lift - a.lift || b.count - a.count || (a.skus.join() < b.skus.join() ? -1 : 1)).slice(0, limit);
  const rows = chosen.length === 0 ? [] : await db.all(SQL('compute'), [window.from, asOf, JSON.stringify(chosen.map((c) => c.skus))]);
  return {
    baskets: rules.baskets,
    bundles: chosen.map((c, i) => ({ ...rows[i], baskets_with_all: c.count, support: c.count / rules.baskets, best_lift: c.lift, best_confidence: c.confidence })),
  };
}
