/**
 * A coupon template: what a coupon gives, on which baskets, for how long, how it stacks with
 * others and how much of it may be given away. Validated from JSON, naming every problem's path.
 * Money is held as bigint units of 1/10000 of the currency unit (DECIMAL(18,4)).
 */
import { toUnits } from '../core/decimal.js';

export const KINDS = ['amount_off', 'percent_off', 'threshold', 'free_item', 'free_shipping'] as const;
export type CouponKind = (typeof KINDS)[number];

/** Which discount a template gives. */
export type Reward =
  | { readonly kind: 'amount_off'; readonly amount: bigint }
  /** Percent in hundredths of a percent (15.5% = 1550); the discount is rounded down to the cent. */
  | { readonly kind: 'percent_off'; readonly percent: bigint; readonly cap: bigint | null }
  /** 满减: spend `spend`, get `off`; with `repeat`, once per whole `spend`, at most `max_times` times. */
  | { readonly kind: 'threshold'; readonly spend: bigint; readonly off: bigint; readonly repeat: boolean; readonly max_times: number | null }
  | { readonly kind: 'free_item'; readonly sku: string; readonly quantity: number }
  | { readonly kind: 'free_shipping' };

/** Fixed dates (UTC ISO), or a number of days after each coupon is issued. */
export type Validity = { readonly from: string | null; readonly until: string | null } | { readonly days_after_issue: number };

export interface Budget {
  readonly count: number | null;
  readonly value: bigint | null;
  readonly daily_count: number | null;
  readonly daily_value: bigint | null;
}

export interface Template {
  readonly name: string;
  readonly reward: Reward;
  readonly validity: Validity;
  /** Eligible lines: empty lists mean every product line. */
  readonly items: readonly string[];
  readonly categories: readonly string[];
  readonly brands: readonly string[];
  /** Where it can be used: empty lists mean everywhere. */
  readonly channels: readonly string[];
  readonly stores: readonly string[];
  /** The basket's product value must reach this (before any discount). */
  readonly min_basket: bigint;
  /** Coupons of this template one member may hold, and redeem. */
  readonly per_member_limit: number | null;
  /** Kinds it combines with; empty = exclusive. `*` = every kind that also accepts it. */
  readonly stacks_with: readonly string[];
  /** Lower applies first; each discount is computed on what the earlier ones left. */
  readonly order: number;
  readonly budget: Budget;
  /** The price of one coupon in a loyalty programme's points, when members may exchange points for it. */
  readonly points_price: PointsPrice | null;
  /** Coupons granted per period to members of the named tiers (a tier benefit), or none. */
  readonly allowance: Allowance | null;
}

export interface PointsPrice {
  readonly programme: string;
  readonly points: bigint;
}

/** N coupons per calendar month (UTC) to each member of the named tiers of a programme. */
export interface Allowance {
  readonly programme: string;
  readonly tiers: readonly string[];
  readonly count: number;
  readonly period: 'month';
}

export interface FieldError {
  readonly path: string;
  readonly reason: string;
}

const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z?)?$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks JSON as a template: the typed template, or every path with its reason. */
export function validateTemplate(json: unknown): { ok: true; template: Template } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (path: string, reason: string): null => {
    errors.push({ path: `$.${path}`, reason });
    return null;
  };
  if (!isObject(json)) return { ok: false, errors: [{ path: '$', reason: 'must be an object' }] };
  const money = (v: unknown, path: string, required: boolean): bigint | null => {
    if (v === undefined && !required) return null;
    if (typeof v !== 'string' || !MONEY.test(v)) return err(path, 'must be a decimal string such as "10" or "9.90"');
    return toUnits(v, 4);
  };
  const count = (v: unknown, path: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return err(path, 'must be a whole number of at least 1');
    return v;
  };
  const strings = (v: unknown, path: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string' && s !== '')) {
      err(path, 'must be a list of non-empty strings');
      return [];
    }
    return v;
  };
  const name = json['name'];
  if (typeof name !== 'string' || name.trim() === '') err('name', 'a template needs a name');
  const reward = checkReward(json, money, count, err);
  const validity = checkValidity(json['validity'], err);
  const budgetJson = json['budget'] ?? {};
  let budget: Budget = { count: null, value: null, daily_count: null, daily_value: null };
  if (!isObject(budgetJson)) err('budget', 'must be an object with count, value, daily_count, daily_value');
  else
    budget = {
      count: count(budgetJson['count'], 'budget.count'),
      value: money(budgetJson['value'], 'budget.value', false),
      daily_count: count(budgetJson['daily_count'], 'budget.daily_count'),
      daily_value: money(budgetJson['daily_value'], 'budget.daily_value', false),
    };
  const stacking = json['stacking'] ?? {};
  let stacksWith: string[] = [];
  let order = 100;
  if (!isObject(stacking)) err('stacking', 'must be an object with exclusive, with, order');
  else {
    stacksWith = stacking['exclusive'] === true ? [] : strings(stacking['with'], 'stacking.with');
    for (const [i, k] of stacksWith.entries()) if (k !== '*' && !KINDS.some((x) => x === k)) err(`stacking.with[${i}]`, `unknown kind ${k}: use ${KINDS.join(', ')} or *`);
    if (stacking['exclusive'] !== undefined && typeof stacking['exclusive'] !== 'boolean') err('stacking.exclusive', 'must be true or false');
    const o = stacking['order'];
    if (o !== undefined && (typeof o !== 'number' || !Number.isInteger(o))) err('stacking.order', 'must be a whole number');
    else if (typeof o === 'number') order = o;
  }
  const points_price = checkPointsPrice(json['points_price'], err);
  const allowance = checkAllowance(json['allowance'], count, strings, err);
  const template: Template = {
    name: typeof name === 'string' ? name.trim() : '',
    reward: reward ?? { kind: 'free_shipping' },
    validity: validity ?? { from: null, until: null },
    items: strings(json['items'], 'items'),
    categories: strings(json['categories'], 'categories'),
    brands: strings(json['brands'], 'brands'),
    channels: strings(json['channels'], 'channels'),
    stores: strings(json['stores'], 'stores'),
    min_basket: money(json['min_basket'], 'min_basket', false) ?? 0n,
    per_member_limit: count(json['per_member_limit'], 'per_member_limit'),
    stacks_with: stacksWith,
    order,
    budget,
    points_price,
    allowance,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, template };
}

function checkReward(
  json: Record<string, unknown>,
  money: (v: unknown, path: string, required: boolean) => bigint | null,
  count: (v: unknown, path: string) => number | null,
  err: (path: string, reason: string) => null,
): Reward | null {
  const kind = json['kind'];
  switch (kind) {
    case 'amount_off': {
      const amount = money(json['amount'], 'amount', true);
      return amount === null ? null : { kind, amount };
    }
    case 'percent_off': {
      const p = json['percent'];
      if (typeof p !== 'string' || !PERCENT.test(p) || toUnits(p, 2) === 0n || toUnits(p, 2) > 10000n)
        return err('percent', 'must be a decimal string above 0 and at most 100, such as "15" or "12.5"');
      return { kind, percent: toUnits(p, 2), cap: money(json['cap'], 'cap', false) };
    }
    case 'threshold': {
      const spend = money(json['spend'], 'spend', true);
      const off = money(json['off'], 'off', true);
      if (spend !== null && spend === 0n) return err('spend', 'must be above 0');
      const repeat = json['repeat'] ?? false;
      if (typeof repeat !== 'boolean') return err('repeat', 'must be true or false');
      const maxTimes = count(json['max_times'], 'max_times');
      return spend === null || off === null ? null : { kind, spend, off, repeat, max_times: maxTimes };
    }
    case 'free_item': {
      const sku = json['sku'];
      if (typeof sku !== 'string' || sku === '') return err('sku', 'a free item needs its sku');
      return { kind, sku, quantity: count(json['quantity'], 'quantity') ?? 1 };
    }
    case 'free_shipping':
      return { kind };
    default:
      return err('kind', `must be one of ${KINDS.join(', ')}`);
  }
}

const programmeOf = (v: Record<string, unknown>, path: string, err: (path: string, reason: string) => null): string | null => {
  const p = v['programme'];
  if (typeof p !== 'string' || p.trim() === '') return err(`${path}.programme`, 'must name a loyalty programme');
  return p.trim();
};

function checkPointsPrice(v: unknown, err: (path: string, reason: string) => null): PointsPrice | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return err('points_price', 'must be {"programme": "main", "points": 500}');
  const programme = programmeOf(v, 'points_price', err);
  const p = v['points'];
  const ok = (typeof p === 'number' && Number.isSafeInteger(p) && p > 0) || (typeof p === 'string' && /^[1-9]\d{0,17}$/.test(p));
  if (!ok) return err('points_price.points', 'must be a whole number of points above 0, such as 500 or "500"');
  return programme === null ? null : { programme, points: BigInt(p) };
}

function checkAllowance(
  v: unknown,
  count: (v: unknown, path: string) => number | null,
  strings: (v: unknown, path: string) => string[],
  err: (path: string, reason: string) => null,
): Allowance | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return err('allowance', 'must be {"programme": "main", "tiers": ["gold"], "count": 2, "period": "month"}');
  const programme = programmeOf(v, 'allowance', err);
  const tiers = strings(v['tiers'], 'allowance.tiers');
  if (tiers.length === 0) err('allowance.tiers', 'must name at least one tier');
  const n = count(v['count'], 'allowance.count');
  if (n === null) err('allowance.count', 'must be a whole number of at least 1');
  const period = v['period'] ?? 'month';
  if (period !== 'month') return err('allowance.period', 'must be "month"');
  return programme === null || n === null || tiers.length === 0 ? null : { programme, tiers, count: n, period };
}

function checkValidity(v: unknown, err: (path: string, reason: string) => null): Validity | null {
  if (v === undefined) return { from: null, until: null };
  if (!isObject(v)) return err('validity', 'must be {"from": ..., "until": ...} or {"days_after_issue": N}');
  if (v['days_after_issue'] !== undefined) {
    const d = v['days_after_issue'];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) return err('validity.days_after_issue', 'must be a whole number of at least 1');
    return { days_after_issue: d };
  }
  const time = (x: unknown, path: string): string | null => {
    if (x === undefined || x === null) return null;
    if (typeof x !== 'string' || !TIME.test(x) || Number.isNaN(Date.parse(x))) return err(path, 'must be a UTC date or time, such as 2026-12-31 or 2026-12-31T23:59:59Z');
    return new Date(x.length === 10 ? `${x}T00:00:00Z` : x.endsWith('Z') ? x : `${x}Z`).toISOString();
  };
  const from = time(v['from'], 'validity.from');
  const until = time(v['until'], 'validity.until');
  if (from !== null && until !== null && from >= until) return err('validity.until', 'must be after validity.from');
  return { from, until };
}

/** The validity window of one coupon issued at `issuedAt`. */
export function validityFor(t: Template, issuedAt: Date): { from: string | null; until: string | null } {
  if ('days_after_issue' in t.validity) return { from: issuedAt.toISOString(), until: new Date(issuedAt.getTime() + t.validity.days_after_issue * 86_400_000).toISOString() };
  return t.validity;
}
