/**
 * The rules report's parameters: defaults, checks, and the rules printed with the report.
 */
import { BASKETS, checkRuleParams, LEVELS, RULE_DEFAULTS, RuleParamError, type BasketKind, type Level, type RuleParams } from './associations.js';

/** What a caller may set; everything else takes RULE_DEFAULTS. */
export type RuleOptions = { readonly [K in keyof RuleParams]?: RuleParams[K] | undefined };

/** The full, checked parameters (throws RuleParamError naming the one that cannot be used). */
export function ruleParams(opts: RuleOptions): RuleParams {
  const p: RuleParams = {
    min_support: opts.min_support ?? RULE_DEFAULTS.min_support,
    min_confidence: opts.min_confidence ?? RULE_DEFAULTS.min_confidence,
    min_lift: opts.min_lift ?? RULE_DEFAULTS.min_lift,
    min_length: opts.min_length ?? RULE_DEFAULTS.min_length,
    max_length: opts.max_length ?? RULE_DEFAULTS.max_length,
    level: opts.level ?? RULE_DEFAULTS.level,
    basket: opts.basket ?? RULE_DEFAULTS.basket,
    from: opts.from ?? RULE_DEFAULTS.from,
    limit: opts.limit ?? RULE_DEFAULTS.limit,
  };
  checkRuleParams(p);
  return p;
}

const isLevel = (v: unknown): v is Level => LEVELS.some((l) => l === v);
const isBasket = (v: unknown): v is BasketKind => BASKETS.some((b) => b === v);

/** The parameters back from their stored (JSON) form. */
export function ruleParamsOf(stored: Record<string, unknown>): RuleParams {
  const text = (k: string): string | undefined => (typeof stored[k] === 'string' ? String(stored[k]) : undefined);
  const num = (k: string): number | undefined => (typeof stored[k] === 'number' ? Number(stored[k]) : undefined);
  const level = stored['level'];
  const basket = stored['basket'];
  if (!isLevel(level)) throw new RuleParamError(`--level must be one of ${LEVELS.join(', ')}`);
  if (!isBasket(basket)) throw new RuleParamError(`--basket must be one of ${BASKETS.join(', ')}`);
  return ruleParams({
    min_support: text('min_support'),
    min_confidence: text('min_confidence'),
    min_lift: text('min_lift'),
    min_length: num('min_length'),
    max_length: num('max_length'),
    level,
    basket,
    from: text('from') ?? null,
    limit: num('limit'),
  });
}

/** The rules printed with the report. */
export function RULE_TEXT(p: Record<string, unknown>): string[] {
  const from = p['from'];
  return [
    `baskets: ${p['basket'] === 'member-day' ? "each member's orders of one day (guest orders one basket each)" : 'each order'} with product lines, not cancelled (a value is not required), created ${typeof from === 'string' ? `from ${from} ` : ''}up to the as-of date; items at ${String(p['level'])} level (item: SKU, else the line's name; category: the product's category path; brand: its brand); baskets without such an item are not counted`,
    `frequent itemsets by FP-growth (Han, Pei & Yin 2000): held by at least min_support x baskets (${String(p['min_support'])}, rounded up to a whole basket), up to ${String(p['max_length'])} items`,
    `rules X => {y}, one item on the right, length (items on both sides) ${String(p['min_length'])}-${String(p['max_length'])}; confidence >= ${String(p['min_confidence'])}, lift >= ${String(p['min_lift'])}; thresholds inclusive and decided on counts`,
    'support = count / baskets; confidence = count / count(X); lift = confidence / support(y); leverage = support - support(X) x support(y); conviction = (1 - support(y)) / (1 - confidence), none when confidence is 1',
    `sorted by lift, then support, then confidence (descending), then the rule's text; at most ${String(p['limit'])} rules listed, rule_count counts them all`,
  ];
}
