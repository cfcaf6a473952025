/**
 * What a report is computed with: its parameters and thresholds (part of its stored identity),
 * its default period, and the rules it prints.
 */
import type { Db } from '../core/db/index.js';
import { getSetting } from '../core/settings/index.js';
import { addDays } from './dates.js';
import type { Dimension } from './kpi.js';
import type { Period, Report } from './options.js';
import { serviceRules, SERVICE_DEFAULTS } from '../service/index.js';
import { productParams, PRODUCT_RULES, type MatrixOptions, type RuleOptions } from '../products/index.js';

/** The first day of a report's period when none is given: the review's week, else the 28 days ending on the as-of date. */
export function defaultFrom(report: Report, asOf: string): string {
  return addDays(asOf, report === 'review' ? -6 : -27);
}

/** Each tag with the rule that produces it (shown with the tag wherever it appears). */
export function TAG_RULES(p: Record<string, unknown>): Record<string, string> {
  const w = `in the ${String(p['window_days'])} days ending on the as-of date`;
  const level = `high at ${String(p['high_percent'])}% or more, medium at ${String(p['medium_percent'])}% or more, else low`;
  return {
    preferred_category: `the category path with the largest share of the member's product spend ${w}, when that share is at least ${String(p['preference_percent'])}%`,
    preferred_brand: `the brand with the largest share of product spend ${w}, when at least ${String(p['preference_percent'])}%`,
    preferred_item: `the item bought on the most distinct days ${w} (at least 2), when it holds at least ${String(p['preference_percent'])}% of spend`,
    hour_habit: `the time band (morning 06-11, midday 11-14, afternoon 14-18, evening 18-22, night 22-06) with most activities ${w}: orders created and engagement events, message opens and clicks counted twice; needs ${String(p['min_activities'])}+ activities`,
    weekday_habit: `the weekday with most activities ${w} (as for hour_habit)`,
    best_send_hour: `the hour of day with most activities ${w} (message opens and clicks counted twice; ties: the earliest hour); with fewer than ${String(p['min_activities'])} activities, the shop-wide busiest hour`,
    price_sensitivity: `share of product spend at a discount ${w} (below list price, or on an order with a discount or coupon): ${level}`,
    new_product_sensitivity: `share of product spend within ${String(p['new_product_days'])} days of the product's launch ${w} (products with a launch date): ${level}`,
    brand_sensitivity: `share of spend in the member's top brand ${w}: ${level}`,
    category_sensitivity: `share of spend in the member's top category ${w}: ${level}`,
    browsing_style: `views or visits and purchases ${w}: browses without buying, browses and buys, or buys without browsing`,
    integrity: `${w}: 'high returns' when returned value is ${String(p['return_rate_percent'])}% or more of purchased value (or returns without purchases), else 'unpaid orders' with ${String(p['unpaid_orders'])}+ orders left unpaid, else 'exchanges' when a return's reason names an exchange (${((p['exchange_words'] as string[] | undefined) ?? []).join(', ')}), else good`,
  };
}

export const RULES: Record<Report, (p: Record<string, unknown>) => string[]> = {
  review: (p) => [
    `the week ${String(p['from'])}..${String(p['to'])} (--from/--to for another period), built from the stored kpi (all, by channel, by category), links, repeat, lifecycle and migration reports; their rules are listed at the end of the document`,
  ],
  tags: (p) => Object.entries(TAG_RULES(p)).map(([k, v]) => `${k}: ${v}`),
  rfm: (p) => [
    `buyers: members with a purchase occasion in the ${String(p['window_days'])} days ending on the as-of date`,
    'R = days since the last occasion; F = occasions in the window; M = net sales in the window (product value - returns), floored at 0',
    'scores 1-5 = 1 + floor(5 x percent rank from worst to best), ties share the lowest rank',
    "10-group map on (R, F); 8-group map compares raw values with the buyers' means (R high: <= mean; F, M high: >= mean)",
  ],
  repeat: (p) => [
    `second-purchase rate: share of a cohort's new buyers with another occasion 1-${String(p['second_purchase_days'])} days after their first; cohort by ${String(p['period'])}; shown once its last day + ${String(p['second_purchase_days'])} <= as-of`,
    `active repeat-purchase rate: of members with 2+ occasions before the ${String(p['second_purchase_days'])}-day window ending on the as-of date and 1+ in the 365 days before it, the share with an occasion inside it`,
    "retention: of period t-1 buyers, the share buying in t; repeat rate: share of a period's buyers with 2+ occasions in it",
    'the first period of the data is left-censored: its new buyers include earlier customers',
    'targets (setting analysis.targets): a rate target holds from its start, moving by its weekly change per whole week; a cohort is held to the target in force on its last day',
  ],
  kpi: (p) => [
    `period ${String(p['from'])}..${String(p['to'])} against the previous period of equal length and the same period last year; drill-down by ${String(p['by'])}`,
    'gross sales = product value of purchases created in the period = sum over new, returning and guest branches of buyers x orders per buyer x average order value',
    'new buyer: first purchase occasion ever in the period; guest orders count one buyer per order',
    'change split by LMDI-I: contribution = L(V1, V0) x ln(x1 / x0), L the logarithmic mean; a branch absent in one period contributes its whole change; rounded to cents by largest remainder',
    'traffic view, per channel with visit data in both periods: gross sales = visitors x conversion (buyers / visitors) x orders per buyer x average order value; visitors = distinct members, or sessions when anonymous, with a visit event; channels without visit data are named, never given a conversion rate',
    "by category: the top level of the product category path; a purchase counts in every category it holds, with that category's line value",
    'targets (setting analysis.targets): totals pro rata over the days of the week or month they cover; rates and averages as in force on the last day',
  ],
  links: (p) => [
    `period ${String(p['from'])}..${String(p['to'])} against the previous period of equal length and the 8 weeks before it (rates: their average; counts: the weekly average scaled to the period's length)`,
    '1 visits (sessions with a visit event); 2 share of members who viewed a product and bought in the period, items per purchase; 3 share of members who asked customer service and bought, their order value; 4 paid share of orders created',
    `5 second-purchase rate of new buyers whose ${String(p['second_purchase_days'])}-day window closed in the period; 6 active repeat-purchase rate at the period end; 7 members buying again after more than 180 days without (won back), and lapsed members at the end`,
    'weakest link: the link farthest below its target (lowest actual / target) when any link is below target, else the largest relative deterioration against the previous period',
  ],
  migration: (p) => [
    `lifecycle stages on ${String(p['from'])} and ${String(p['to'])} (rules as in the lifecycle report)`,
    'rank: Suspect 0, Prospect 1, Lapsed 1, Holding 2, New 3, Regular 4, Fan 5; a move up is positive migration, down negative',
  ],
  cohorts: (p) => [
    `cohort = the ${String(p['period'])} of a member's first purchase occasion; periods_since = whole ${String(p['period'])}s after it`,
    'members = cohort members with an occasion in that period; member_rate = members / cohort size',
    "revenue = product value of the cohort members' purchases in that period (before returns)",
  ],
  ...PRODUCT_RULES,
  service: serviceRules,
  lifecycle: () => [
    'only members first seen by the as-of date (earliest identity or first occasion) get a stage',
    'no occasion: Prospect if an engagement event (view, cart, favourite, inquiry, review, share, community) in the last 180 days, else Suspect',
    'first occasion in the last 45 days (as-of - 44 .. as-of): New',
    'last occasion more than 180 days ago: Lapsed',
    '2+ occasions and the last at most 90 days ago: Fan with 4+ occasions in the last 365 days, else Regular',
    'everyone else: Holding',
  ],
};

/** The parameters (and thresholds) a report is computed with: part of its stored identity. */
export async function paramsOf(
  db: Db,
  report: Report,
  p: { from: string; asOf: string; by: Dimension; windowDays: number; secondDays: number; period: Period; rules?: RuleOptions; matrix?: MatrixOptions },
): Promise<Record<string, unknown>> {
  switch (report) {
    case 'service':
      return { from: p.from, to: p.asOf, ...SERVICE_DEFAULTS };
    case 'rules':
    case 'bundles':
    case 'matrix':
    case 'seasonality':
    case 'coverage':
      return productParams(report, {
        from: p.from,
        asOf: p.asOf,
        period: p.period,
        windowDays: p.windowDays,
        ...(p.rules !== undefined ? { rules: p.rules } : {}),
        ...(p.matrix !== undefined ? { matrix: p.matrix } : {}),
      });
    case 'kpi':
      return { from: p.from, to: p.asOf, by: p.by };
    case 'migration':
      return { from: p.from, to: p.asOf };
    case 'links':
    case 'review':
      return { from: p.from, to: p.asOf, second_purchase_days: p.secondDays };
    case 'rfm':
      return { window_days: p.windowDays };
    case 'repeat':
      return { period: p.period, second_purchase_days: p.secondDays };
    case 'cohorts':
      return { period: p.period };
    case 'lifecycle':
      return {};
    case 'tags':
      return {
        window_days: await getSetting(db, 'tags.window_days'),
        preference_percent: await getSetting(db, 'tags.preference_percent'),
        high_percent: await getSetting(db, 'tags.high_percent'),
        medium_percent: await getSetting(db, 'tags.medium_percent'),
        new_product_days: await getSetting(db, 'tags.new_product_days'),
        min_activities: await getSetting(db, 'tags.min_activities'),
        return_rate_percent: await getSetting(db, 'tags.return_rate_percent'),
        unpaid_orders: await getSetting(db, 'tags.unpaid_orders'),
        exchange_words: await getSetting(db, 'tags.exchange_words'),
      };
    default: {
      const never: never = report;
      return never;
    }
  }
}
