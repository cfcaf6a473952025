/**
 * The product reports of `analyze`: their parameters (part of each stored result's key), the
 * rules printed with them, and how each is computed.
 */
import type { Db } from '../core/db/index.js';
import { associationRules, RuleParamError } from './associations.js';
import { bundles } from './bundles.js';
import { coverage } from './coverage.js';
import { productMatrix } from './matrix.js';
import { ruleParams, ruleParamsOf, RULE_TEXT, type RuleOptions } from './params.js';
import { parseRatio } from './ratio.js';
import { addDay, seasonality } from './seasonality.js';

export const PRODUCT_REPORTS = ['rules', 'bundles', 'matrix', 'seasonality', 'coverage'] as const;
export type ProductReport = (typeof PRODUCT_REPORTS)[number];

/** The matrix's splits as given (decimal text; absent: the medians). */
export interface MatrixOptions {
  readonly traffic_split?: string | undefined;
  readonly margin_split?: string | undefined;
}

/** What the product reports are asked with. */
export interface ProductInputs {
  readonly from: string;
  readonly asOf: string;
  readonly period: 'week' | 'month';
  readonly windowDays: number;
  readonly rules?: RuleOptions;
  readonly matrix?: MatrixOptions;
}

function split(name: string, v: string | undefined): string | null {
  if (v === undefined) return null;
  if (parseRatio(v) === null) throw new RuleParamError(`${name} must be a non-negative decimal number, got '${v}'`);
  return v;
}

/** The parameters of a product report (throws RuleParamError for one that cannot be used). */
export function productParams(report: ProductReport, p: ProductInputs): Record<string, unknown> {
  switch (report) {
    case 'rules':
      return { ...ruleParams(p.rules ?? {}) };
    case 'bundles': {
      // Bundles look for lift, not confidence: defaults confidence 0, lift 1.5, 20 proposals.
      const given = Object.fromEntries(Object.entries(p.rules ?? {}).filter(([, v]) => v !== undefined));
      return { ...ruleParams({ min_confidence: '0', min_lift: '1.5', limit: 20, ...given }) };
    }
    case 'matrix':
      return { from: p.from, to: p.asOf, traffic_split: split('--traffic-split', p.matrix?.traffic_split), margin_split: split('--margin-split', p.matrix?.margin_split) };
    case 'seasonality':
      return { unit: p.period };
    case 'coverage':
      return { window_days: p.windowDays };
    default: {
      const never: never = report;
      return never;
    }
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Computes a product report from its stored parameters. */
export async function productReport(db: Db, report: ProductReport, asOf: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (report) {
    case 'rules': {
      const { rules: _rules, ...stored } = params;
      // A segment's run sees only its members' orders: its pairs are not the base's.
      return { ...(await associationRules(db, asOf, ruleParamsOf(stored), { storePairs: params['segment'] === undefined })) };
    }
    case 'bundles': {
      const { rules: _rules, ...stored } = params;
      const p = ruleParamsOf(stored);
      return bundles(db, asOf, { from: p.from ?? '1900-01-01' }, p, p.limit);
    }
    case 'matrix': {
      const t = text(params['traffic_split']);
      const m = text(params['margin_split']);
      return productMatrix(db, String(params['from']), asOf, { traffic: t === null ? null : Number(t), marginRate: m === null ? null : Number(m) });
    }
    case 'seasonality':
      return seasonality(db, asOf, params['unit'] === 'week' ? 'week' : 'month');
    case 'coverage': {
      const days = Number(params['window_days']);
      return coverage(db, addDay(asOf, 1 - days), asOf, days);
    }
    default: {
      const never: never = report;
      return never;
    }
  }
}

/** The rules each product report prints. */
export const PRODUCT_RULES: Record<ProductReport, (p: Record<string, unknown>) => string[]> = {
  rules: RULE_TEXT,
  bundles: (p) => [
    ...RULE_TEXT(p).slice(0, 2),
    `proposals: the item pairs and triples of rules with lift >= ${String(p['min_lift'])} and confidence >= ${String(p['min_confidence'])}, one per itemset with its best rule, best lift first; at most ${String(p['limit'])}`,
    "prices: each item's list price and average selling price (sales / units of purchases in the window) and their totals; members_with_part: members who bought some but not all of the items in the window (the audience of segment rule bundle_part), members_with_all: all of them",
  ],
  matrix: (p) => [
    `period ${String(p['from'])}..${String(p['to'])} and the period of equal length before it (for the moves between classes)`,
    'traffic = distinct visitors who viewed the product (members, else sessions); on channels without product views in the period, its buyers instead (those channels are named); conversion = buyers on channels with views / viewers',
    "sales = product value of its purchase lines; gross margin = sales - quantity x cost (the line's cost, else the product's) over lines with a known cost; gross margin rate = margin / those lines' sales",
    'new buyer share = members whose first purchase occasion ever falls in the period and holds the product / its member buyers; repeat rate = its member buyers who bought it on 2+ days of the period / its member buyers',
    `classes on traffic (split ${p['traffic_split'] === null ? 'at the median' : `at ${String(p['traffic_split'])}`}) and gross margin rate (split ${p['margin_split'] === null ? 'at the median' : `at ${String(p['margin_split'])}`}); at or above a split is high: high traffic and low margin rate traffic_driver (引流), high and high profit_maker (利润), low traffic and high margin rate potential (潜力), low and low marginal (边缘); without a known cost, unclassified`,
    "price position = percent rank of the product's average selling price (sales / units) among the products of its category path sold in the period (0 the cheapest, 1 the dearest)",
  ],
  seasonality: (p) => [
    `seasonal index of each ${p['unit'] === 'week' ? 'ISO week' : 'month'} per category (top level of the path) and brand = mean sales in it over the full ${p['unit'] === 'week' ? 'ISO' : 'calendar'} years from the first order to the as-of date / mean ${p['unit'] === 'week' ? 'weekly' : 'monthly'} sales over those years`,
    'sales = product value of purchase lines (before returns); a period without sales counts as 0; needs at least two full years, otherwise the report says so and gives no index',
  ],
  coverage: (p) => [
    `members who bought the product in the ${String(p['window_days'])} days ending on the as-of date: as a share of all member buyers then, of each lifecycle stage and of each RFM group (10-group map) as of the as-of date`,
    'stages and RFM scores are computed for the as-of date first when not stored',
  ],
};
