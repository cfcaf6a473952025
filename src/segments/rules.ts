/**
 * The segment rule language: a tree of typed nodes, validated from JSON. Every node kind is
 * listed once in `SegmentRule`; the compiler's exhaustive switch turns each into SQL.
 */

import { COMPARISONS, type Comparison } from './compare.js';
import { checkCouponRule, type CouponRule } from './coupon-node.js';
import { checkLoyalty, type LoyaltyRule } from './loyalty-node.js';
export { COMPARISONS, type Comparison } from './compare.js';

export const STAGES = ['Suspect', 'Prospect', 'New', 'Regular', 'Fan', 'Holding', 'Lapsed'] as const;
export type Stage = (typeof STAGES)[number];

export const ATTRIBUTES = ['gender', 'city', 'registration_channel', 'birthday_month', 'age', 'registered_days_ago'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];
/** Attributes whose values are numbers (the rest are text). */
export const NUMERIC_ATTRIBUTES: ReadonlySet<Attribute> = new Set(['birthday_month', 'age', 'registered_days_ago']);

export const PURCHASE_FACTS = ['first_purchase_days_ago', 'last_purchase_days_ago', 'purchases', 'spend'] as const;
export type PurchaseFact = (typeof PURCHASE_FACTS)[number];

export const BEHAVIOUR_EVENTS = ['visit', 'view', 'search', 'cart', 'favourite', 'inquiry', 'review', 'share', 'message_opened', 'message_clicked', 'coupon_redeemed', 'community_post'] as const;
export type BehaviourEvent = (typeof BEHAVIOUR_EVENTS)[number];

export const JOURNEY_STATES = [
  'bounced',
  'browsed_not_ordered',
  'carted_not_ordered',
  'asked_not_ordered',
  'ordered_not_paid',
  'awaiting_delivery',
  'returned',
  'bad_review',
  'good_review',
  'recommends_others',
] as const;
export type JourneyState = (typeof JOURNEY_STATES)[number];

export const CONSENT_STATUSES = ['granted', 'withdrawn', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Customer-model scores of the latest `models score` run (docs/models.md); money scores compare as decimals. */
export const MODEL_SCORES = ['p_alive', 'expected_purchases', 'expected_average_spend', 'clv', 'next_purchase_in_days', 'churn_risk'] as const;
export type ModelScore = (typeof MODEL_SCORES)[number];
export const CHURN_RISKS = ['high', 'medium', 'low'] as const;

export type SegmentRule =
  | { readonly kind: 'and'; readonly rules: readonly SegmentRule[] }
  | { readonly kind: 'or'; readonly rules: readonly SegmentRule[] }
  | { readonly kind: 'not'; readonly rule: SegmentRule }
  /** A member attribute compared with a value, or `in` a list of values. */
  | { readonly kind: 'attribute'; readonly field: Attribute; readonly op: Comparison | 'in'; readonly value: string | number | readonly string[] }
  /** Lifecycle stage as of the evaluation date (the latest stored on or before it). */
  | { readonly kind: 'lifecycle'; readonly stages: readonly Stage[] }
  /** RFM scores (inclusive 1-5 ranges) and/or groups, from the latest stored scores. */
  | {
      readonly kind: 'rfm';
      readonly r?: readonly [number, number];
      readonly f?: readonly [number, number];
      readonly m?: readonly [number, number];
      readonly groups?: readonly string[];
      readonly groups_cn?: readonly string[];
    }
  /** Count of events of a type in the last `days` days, optionally of one category or SKU. */
  | { readonly kind: 'behaviour'; readonly event: BehaviourEvent; readonly days: number; readonly op: Comparison; readonly count: number; readonly category?: string; readonly sku?: string }
  /** A purchase fact (all time, or within the last `days` days for purchases and spend). */
  | { readonly kind: 'purchase'; readonly fact: PurchaseFact; readonly op: Comparison; readonly value: number | string; readonly days?: number }
  /** Bought a category (path prefix) or a brand, ever or in the last `days` days. */
  | { readonly kind: 'bought'; readonly category?: string; readonly brand?: string; readonly days?: number }
  /** A journey state reached in the last `days` days (docs/segments.md defines each). */
  | { readonly kind: 'journey'; readonly state: JourneyState; readonly days: number }
  /** Bought some but not all of a bundle's SKUs (optionally within the last N days): its audience. */
  | { readonly kind: 'bundle_part'; readonly skus: readonly string[]; readonly days?: number }
  /** Latest consent for a contact channel (sms, email, wechat, ...); unknown = never recorded. */
  | { readonly kind: 'consent'; readonly channel: string; readonly status: ConsentStatus }
  /** A stored tag with a given value (for example best_send_hour = 20). */
  | { readonly kind: 'tag'; readonly tag: string; readonly value: string }
  /** Loyalty figures of a programme as last published to the analytical store (loyalty-node.ts). */
  | LoyaltyRule
  /** A customer-model score compared with a value (for example p_alive lt 0.3, churn_risk eq "high"). */
  | { readonly kind: 'model'; readonly score: ModelScore; readonly op: Comparison; readonly value: number | string }
  /** Holds an unused coupon of a template (expiring within N days), or redeemed one in the last N days (coupon-node.ts). */
  | CouponRule;

export type RuleKind = SegmentRule['kind'];

export interface RuleError {
  readonly path: string;
  readonly reason: string;
}

export type Validation = { readonly ok: true; readonly rule: SegmentRule } | { readonly ok: false; readonly errors: readonly RuleError[] };

type Json = unknown;
const isObject = (v: Json): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T extends string>(list: readonly T[], v: Json): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const isInt = (v: Json, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const MAX_DAYS = 3660;

/**
 * The most conditions one rule may hold. Each condition is a pass over the facts, and a rule of
 * 600 behaviour conditions held the analytical store for two minutes: a rule that wide is refused
 * up front, as a rule nested too deep is.
 */
export const MAX_CONDITIONS = 100;

/** The conditions (nodes other than and, or, not) of a JSON rule, counted without validating it. */
function conditions(v: unknown, depth = 0): number {
  if (depth > 25 || typeof v !== 'object' || v === null || Array.isArray(v)) return 0;
  const node: Record<string, unknown> = Object.fromEntries(Object.entries(v));
  const kind = node['kind'];
  if (kind === 'and' || kind === 'or') return Array.isArray(node['rules']) ? node['rules'].reduce((n: number, r: unknown) => n + conditions(r, depth + 1), 0) : 0;
  if (kind === 'not') return conditions(node['rule'], depth + 1);
  return 1;
}

/** Checks a JSON value is a rule tree; every problem is reported with its JSON path. */
export function validateRule(json: unknown): Validation {
  const errors: RuleError[] = [];
  const width = conditions(json);
  if (width > MAX_CONDITIONS) {
    return {
      ok: false,
      errors: [
        {
          path: '$',
          reason: `has ${width} conditions; at most ${MAX_CONDITIONS} are evaluated in one rule (each is a pass over the facts): list values with "in", or split the rule into saved segments`,
        },
      ],
    };
  }
  const rule = check(json, '$', errors, 0);
  return rule === null || errors.length > 0 ? { ok: false, errors } : { ok: true, rule };
}

function check(v: Json, path: string, errors: RuleError[], depth: number): SegmentRule | null {
  const bad = (where: string, reason: string): null => {
    errors.push({ path: where, reason });
    return null;
  };
  if (depth > 20) return bad(path, 'nested more than 20 levels');
  if (!isObject(v)) return bad(path, 'must be an object with a "kind"');
  const kind = v['kind'];
  const days = (key: string, required: boolean): number | undefined | null => {
    const d = v[key];
    if (d === undefined) return required ? bad(`${path}.${key}`, 'is required (a whole number of days)') : undefined;
    return isInt(d, 1, MAX_DAYS) ? d : bad(`${path}.${key}`, `must be a whole number of days from 1 to ${MAX_DAYS}`);
  };
  const text = (key: string, required: boolean): string | undefined | null => {
    const t = v[key];
    if (t === undefined) return required ? bad(`${path}.${key}`, 'is required') : undefined;
    return typeof t === 'string' && t.trim() !== '' ? t : bad(`${path}.${key}`, 'must be a non-empty string');
  };
  const texts = (key: string): readonly string[] | undefined | null => {
    const t = v[key];
    if (t === undefined) return undefined;
    return Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === 'string') ? t.map(String) : bad(`${path}.${key}`, 'must be a non-empty list of strings');
  };
  const range = (key: string): readonly [number, number] | undefined | null => {
    const r = v[key];
    if (r === undefined) return undefined;
    if (Array.isArray(r) && r.length === 2 && isInt(r[0], 1, 5) && isInt(r[1], 1, 5) && r[0] <= r[1]) return [r[0], r[1]];
    return bad(`${path}.${key}`, 'must be [low, high] with 1 <= low <= high <= 5');
  };
  const cmp = (key: string): Comparison | null => (oneOf(COMPARISONS, v[key]) ? v[key] : bad(`${path}.${key}`, `must be one of ${COMPARISONS.join(', ')}`));
  const before = errors.length;
  const ok = <T extends SegmentRule>(r: T): T | null => (errors.length === before ? r : null);
  switch (kind) {
    case 'and':
    case 'or': {
      const list = v['rules'];
      if (!Array.isArray(list) || list.length === 0) return bad(`${path}.rules`, 'must be a non-empty list of rules');
      const rules = list.map((r, i) => check(r, `${path}.rules[${i}]`, errors, depth + 1));
      const good = rules.filter((r): r is SegmentRule => r !== null);
      return good.length === rules.length ? ok({ kind, rules: good }) : null;
    }
    case 'not': {
      const inner = check(v['rule'], `${path}.rule`, errors, depth + 1);
      return inner === null ? null : ok({ kind, rule: inner });
    }
    case 'attribute': {
      const field = oneOf(ATTRIBUTES, v['field']) ? v['field'] : bad(`${path}.field`, `must be one of ${ATTRIBUTES.join(', ')}`);
      const op = v['op'] === 'in' ? 'in' : cmp('op');
      const value = v['value'];
      if (field === null || op === null) return null;
      if (op === 'in') {
        if (!Array.isArray(value) || value.length === 0 || !value.every((x) => typeof x === 'string')) return bad(`${path}.value`, 'with op "in" must be a non-empty list of strings');
        return ok({ kind, field, op, value: value.map(String) });
      }
      if (NUMERIC_ATTRIBUTES.has(field) ? !isInt(value, -100000, 100000) : typeof value !== 'string') {
        return bad(`${path}.value`, NUMERIC_ATTRIBUTES.has(field) ? `must be a whole number for ${field}` : `must be a string for ${field}`);
      }
      return typeof value === 'string' || typeof value === 'number' ? ok({ kind, field, op, value }) : null;
    }
    case 'lifecycle': {
      const stages = v['stages'];
      if (!Array.isArray(stages) || stages.length === 0) return bad(`${path}.stages`, `must be a non-empty list of ${STAGES.join(', ')}`);
      const good = stages.filter((s): s is Stage => oneOf(STAGES, s));
      if (good.length !== stages.length) return bad(`${path}.stages`, `holds an unknown stage; stages are ${STAGES.join(', ')}`);
      return ok({ kind, stages: good });
    }
    case 'rfm': {
      const r = range('r');
      const f = range('f');
      const m = range('m');
      const groups = texts('groups');
      const groupsCn = texts('groups_cn');
      if (r === null || f === null || m === null || groups === null || groupsCn === null) return null;
      if (r === undefined && f === undefined && m === undefined && groups === undefined && groupsCn === undefined) return bad(path, 'needs at least one of r, f, m, groups, groups_cn');
      return ok({ kind, ...(r ? { r } : {}), ...(f ? { f } : {}), ...(m ? { m } : {}), ...(groups ? { groups } : {}), ...(groupsCn ? { groups_cn: groupsCn } : {}) });
    }
    case 'behaviour': {
      const event = oneOf(BEHAVIOUR_EVENTS, v['event']) ? v['event'] : bad(`${path}.event`, `must be one of ${BEHAVIOUR_EVENTS.join(', ')}`);
      const d = days('days', true);
      const op = cmp('op');
      const count = isInt(v['count'], 0, 1_000_000) ? v['count'] : bad(`${path}.count`, 'must be a whole number from 0');
      const category = text('category', false);
      const sku = text('sku', false);
      if (event === null || d === null || d === undefined || op === null || count === null || category === null || sku === null) return null;
      return ok({ kind, event, days: d, op, count, ...(category ? { category } : {}), ...(sku ? { sku } : {}) });
    }
    case 'purchase': {
      const fact = oneOf(PURCHASE_FACTS, v['fact']) ? v['fact'] : bad(`${path}.fact`, `must be one of ${PURCHASE_FACTS.join(', ')}`);
      const op = cmp('op');
      const d = days('days', false);
      const value = v['value'];
      if (fact === null || op === null || d === null) return null;
      if (d !== undefined && (fact === 'first_purchase_days_ago' || fact === 'last_purchase_days_ago')) return bad(`${path}.days`, `does not apply to ${fact}`);
      if (fact === 'spend' ? !(typeof value === 'string' || typeof value === 'number') || !/^-?\d+(\.\d{1,4})?$/.test(String(value)) : !isInt(value, 0, 1_000_000)) {
        return bad(`${path}.value`, fact === 'spend' ? 'must be an amount such as "199.90"' : 'must be a whole number');
      }
      return typeof value === 'string' || typeof value === 'number' ? ok({ kind, fact, op, value, ...(d !== undefined ? { days: d } : {}) }) : null;
    }
    case 'bought': {
      const category = text('category', false);
      const brand = text('brand', false);
      const d = days('days', false);
      if (category === null || brand === null || d === null) return null;
      if (category === undefined && brand === undefined) return bad(path, 'needs a category or a brand');
      return ok({ kind, ...(category ? { category } : {}), ...(brand ? { brand } : {}), ...(d !== undefined ? { days: d } : {}) });
    }
    case 'bundle_part': {
      const skus = texts('skus');
      const d = days('days', false);
      if (skus === null || d === null) return null;
      if (skus === undefined || new Set(skus).size < 2) return bad(`${path}.skus`, 'must list at least two different SKUs (the bundle)');
      return ok({ kind, skus: [...new Set(skus)], ...(d !== undefined ? { days: d } : {}) });
    }
    case 'journey': {
      const state = oneOf(JOURNEY_STATES, v['state']) ? v['state'] : bad(`${path}.state`, `must be one of ${JOURNEY_STATES.join(', ')}`);
      const d = days('days', true);
      if (state === null || d === null || d === undefined) return null;
      return ok({ kind, state, days: d });
    }
    case 'consent': {
      const channel = text('channel', true);
      const status = oneOf(CONSENT_STATUSES, v['status']) ? v['status'] : bad(`${path}.status`, `must be one of ${CONSENT_STATUSES.join(', ')}`);
      if (channel === null || channel === undefined || status === null) return null;
      return ok({ kind, channel, status });
    }
    case 'tag': {
      const tag = text('tag', true);
      const value = text('value', true);
      if (tag === null || tag === undefined || value === null || value === undefined) return null;
      return ok({ kind, tag, value });
    }
    case 'loyalty':
      return checkLoyalty(v, path, errors);
    case 'model': {
      const score = oneOf(MODEL_SCORES, v['score']) ? v['score'] : bad(`${path}.score`, `must be one of ${MODEL_SCORES.join(', ')}`);
      const op = cmp('op');
      const value = v['value'];
      if (score === null || op === null) return null;
      if (score === 'churn_risk') {
        if (op !== 'eq' && op !== 'ne') return bad(`${path}.op`, 'must be eq or ne for churn_risk');
        return oneOf(CHURN_RISKS, value) ? ok({ kind, score, op, value }) : bad(`${path}.value`, `must be one of ${CHURN_RISKS.join(', ')}`);
      }
      if (score === 'clv' || score === 'expected_average_spend') {
        return (typeof value === 'string' || typeof value === 'number') && /^-?\d+(\.\d{1,4})?$/.test(String(value))
          ? ok({ kind, score, op, value })
          : bad(`${path}.value`, 'must be an amount such as "199.90"');
      }
      if (score === 'next_purchase_in_days') return isInt(value, -MAX_DAYS, MAX_DAYS) ? ok({ kind, score, op, value }) : bad(`${path}.value`, 'must be a whole number of days');
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? ok({ kind, score, op, value }) : bad(`${path}.value`, 'must be a number from 0');
    }
    case 'coupon':
      return checkCouponRule(v, path, bad, MAX_DAYS);
    default:
      return bad(
        `${path}.kind`,
        `unknown kind ${JSON.stringify(kind)}; kinds are and, or, not, attribute, lifecycle, rfm, behaviour, purchase, bought, bundle_part, journey, consent, tag, loyalty, model, coupon`,
      );
  }
}
