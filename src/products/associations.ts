/**
 * The association-rules report: baskets read from the member base, frequent itemsets by
 * FP-growth, rules with support, confidence, lift, leverage and conviction.
 */
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { fpGrowth, type WeightedBaskets } from './fpgrowth.js';
import { storePairs } from './pairs.js';
import { minCountOf, parseRatio, type Ratio } from './ratio.js';
import { compareRules, describe, rulesFrom, type Rule } from './rules.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'baskets.sql'));

export const LEVELS = ['item', 'category', 'brand'] as const;
export type Level = (typeof LEVELS)[number];
export const BASKETS = ['order', 'member-day'] as const;
export type BasketKind = (typeof BASKETS)[number];

/** The parameters of a rules run, as stored with its result (thresholds as decimal text). */
export interface RuleParams {
  readonly min_support: string;
  readonly min_confidence: string;
  readonly min_lift: string;
  readonly min_length: number;
  readonly max_length: number;
  readonly level: Level;
  readonly basket: BasketKind;
  /** First day of the window (null: all history up to the as-of date). */
  readonly from: string | null;
  /** Rules listed at most (the count covers them all). */
  readonly limit: number;
}

export const RULE_DEFAULTS: RuleParams = {
  min_support: '0.001',
  min_confidence: '0.5',
  min_lift: '0',
  min_length: 2,
  max_length: 10,
  level: 'item',
  basket: 'order',
  from: null,
  limit: 10000,
};

/** A parameter that cannot be used, with the reason. */
export class RuleParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleParamError';
  }
}

/** The result of a rules run. */
export interface RulesResult {
  baskets: number;
  items: number;
  frequent_items: number;
  frequent_itemsets: number;
  min_count: number;
  rule_count: number;
  counts_by_length: Record<string, number>;
  truncated: boolean;
  rules: Rule[];
}

function ratio(name: string, text: string, max: Ratio | null): Ratio {
  const r = parseRatio(text);
  if (r === null) throw new RuleParamError(`${name} must be a decimal number such as 0.01, got '${text}'`);
  if (max !== null && r.num > r.den) throw new RuleParamError(`${name} must be between 0 and 1, got '${text}'`);
  return r;
}

/** Checks the parameters; throws RuleParamError naming the one that cannot be used. */
export function checkRuleParams(p: RuleParams): { support: Ratio; confidence: Ratio; lift: Ratio } {
  const one = parseRatio('1');
  const support = ratio('--min-support', p.min_support, one);
  if (support.num === 0n) throw new RuleParamError('--min-support must be above 0 (every itemset would be frequent)');
  const confidence = ratio('--min-confidence', p.min_confidence, one);
  const lift = ratio('--min-lift', p.min_lift, null);
  if (!Number.isInteger(p.min_length) || p.min_length < 1) throw new RuleParamError(`--min-length must be a whole number of at least 1, got ${p.min_length}`);
  if (!Number.isInteger(p.max_length) || p.max_length < p.min_length) throw new RuleParamError(`--max-length must be a whole number of at least --min-length (${p.min_length}), got ${p.max_length}`);
  if (!LEVELS.includes(p.level)) throw new RuleParamError(`--level must be one of ${LEVELS.join(', ')}`);
  if (!BASKETS.includes(p.basket)) throw new RuleParamError(`--basket must be one of ${BASKETS.join(', ')}`);
  if (!Number.isInteger(p.limit) || p.limit < 0) throw new RuleParamError(`--limit must be a whole number, got ${p.limit}`);
  return { support, confidence, lift };
}

/**
 * Reads the weighted baskets of frequent items as typed arrays: each basket's rows come together,
 * ranks ascending, each row carrying the basket's size, so the rows are cut by size.
 */
export async function readBaskets(db: Db): Promise<WeightedBaskets> {
  const [sizes = new Int32Array(0), rowWeights = new Int32Array(0), items = new Int32Array(0)] = await db.readInt32Columns(SQL('weighted_baskets'));
  const offsets: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < sizes.length; i += Math.max(1, sizes[i] ?? 1)) {
    offsets.push(i);
    weights.push(rowWeights[i] ?? 0);
  }
  offsets.push(sizes.length);
  return { items, offsets: Int32Array.from(offsets), weights: Float64Array.from(weights) };
}

/** The baskets of a run in the temporary table _basket_items: the window's orders, items as numbers. */
export async function prepareBaskets(db: Db, asOf: string, p: Pick<RuleParams, 'from' | 'basket' | 'level'>): Promise<void> {
  await db.run(SQL('basket_orders'), [p.from, asOf, p.basket]);
  await db.run(SQL('basket_keys'), [p.level]);
  await db.run(SQL('basket_items'), [p.level]);
  await db.run(SQL('drop_orders'));
}

/** Drops what prepareBaskets and the mining left. */
export async function dropBaskets(db: Db): Promise<void> {
  await db.run(SQL('drop_orders'));
  await db.run(SQL('drop'));
  await db.run('DROP TABLE IF EXISTS _basket_keys');
  await db.run('DROP TABLE IF EXISTS _fp_items');
}

/**
 * Association rules over the baskets created in the window ending on asOf (the snapshot's
 * order_values, so a segment's report sees only its members' orders). With storePairs (a run
 * over the whole base), item-level order baskets also replace the stored pair counts (pairs.ts).
 */
export async function associationRules(db: Db, asOf: string, p: RuleParams, opts: { readonly storePairs?: boolean } = {}): Promise<RulesResult> {
  const t = checkRuleParams(p);
  try {
    await prepareBaskets(db, asOf, p);
    const counted = await db.one(SQL('basket_count'));
    const n = int(counted, 'n');
    const items = int(counted, 'items');
    // A run over the whole base at item level, one basket per order, keeps its pair counts.
    if (opts.storePairs === true && p.level === 'item' && p.basket === 'order') await storePairs(db, p.from, asOf, n);
    // A threshold of 0 baskets would make every itemset frequent; at least one basket must hold it.
    const minCount = Math.max(1, minCountOf(n, t.support));
    await db.run(SQL('frequent_items'), [minCount]);
    const labels = await db.all(SQL('item_labels'), [p.level]);
    const names = labels.map((r) => str(r, 'name') ?? '');
    const keys = labels.map((r) => str(r, 'key') ?? '');
    const single = labels.map((r) => int(r, 'n'));
    const baskets = await readBaskets(db);
    const itemsets = fpGrowth(baskets, labels.length, { minCount, maxLength: p.max_length });
    const ranked = rulesFrom(itemsets, n, single, { minConfidence: t.confidence, minLift: t.lift, minLength: p.min_length, maxLength: p.max_length });
    const rules = ranked.map((r) => describe(r, n, names, keys)).sort(compareRules);
    const byLength: Record<string, number> = {};
    for (const r of rules) byLength[String(r.length)] = (byLength[String(r.length)] ?? 0) + 1;
    return {
      baskets: n,
      items,
      frequent_items: labels.length,
      frequent_itemsets: itemsets.length,
      min_count: minCount,
      rule_count: rules.length,
      counts_by_length: byLength,
      truncated: rules.length > p.limit,
      rules: rules.slice(0, p.limit),
    };
  } finally {
    await dropBaskets(db);
  }
}
