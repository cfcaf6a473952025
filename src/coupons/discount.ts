/**
 * The discount calculation at the till, pure: which presented coupons apply to a basket, in
 * which order, and how much each takes off. Each discount is computed on what the earlier ones
 * left on its eligible lines and is spread over those lines, so a later coupon on other lines
 * sees their full value. Amounts are bigint units of 1/10000 (DECIMAL(18,4)).
 */
import type { Template } from './template.js';

export interface BasketLine {
  readonly sku: string;
  readonly quantity: number;
  /** Units (1/10000) per item. */
  readonly unit_price: bigint;
  readonly category?: string;
  readonly brand?: string;
}

export interface Basket {
  readonly lines: readonly BasketLine[];
  readonly shipping: bigint;
  readonly channel?: string;
  readonly store?: string;
}

/** Why a coupon does not apply: values for the caller, never exceptions. */
export type NotApplicable =
  | { readonly type: 'coupon_not_yet_valid'; readonly valid_from: string }
  | { readonly type: 'coupon_expired'; readonly valid_until: string }
  | { readonly type: 'wrong_channel'; readonly channels: readonly string[] }
  | { readonly type: 'wrong_store'; readonly stores: readonly string[] }
  | { readonly type: 'below_minimum'; readonly min_basket: bigint; readonly basket: bigint }
  | { readonly type: 'no_eligible_items' }
  | { readonly type: 'below_threshold'; readonly spend: bigint; readonly eligible: bigint }
  | { readonly type: 'free_item_missing'; readonly sku: string; readonly quantity: number }
  | { readonly type: 'no_shipping' }
  | { readonly type: 'member_limit_reached'; readonly limit: number }
  | { readonly type: 'not_combinable'; readonly with: string }
  | { readonly type: 'nothing_left'; readonly note: string };

/** One presented coupon: its template, validity window and what the member already used. */
export interface Presented {
  readonly code: string;
  readonly template: Template;
  readonly valid_from: string | null;
  readonly valid_until: string | null;
  /** Coupons of this template the member has redeemed or holds reserved, other than this one. */
  readonly member_used: number;
}

export type Applied = { readonly code: string; readonly ok: true; readonly discount: bigint; readonly kind: string } | { readonly code: string; readonly ok: false; readonly reason: NotApplicable };

export interface Evaluation {
  /** In the order the discounts were applied. */
  readonly coupons: readonly Applied[];
  readonly total_discount: bigint;
  readonly basket_value: bigint;
  readonly to_pay: bigint;
}

const CENT = 100n;
const lineValue = (l: BasketLine): bigint => l.unit_price * BigInt(l.quantity);

function eligible(t: Template, l: BasketLine): boolean {
  if (t.items.length === 0 && t.categories.length === 0 && t.brands.length === 0) return true;
  return t.items.includes(l.sku) || (l.category !== undefined && t.categories.includes(l.category)) || (l.brand !== undefined && t.brands.includes(l.brand));
}

const combinable = (a: Template, b: Template): boolean =>
  (a.stacks_with.includes('*') || a.stacks_with.includes(b.reward.kind)) && (b.stacks_with.includes('*') || b.stacks_with.includes(a.reward.kind));

/** Checks that do not depend on other coupons: dates, channel, store, minimum, member limit. */
function gate(p: Presented, basket: Basket, basketValue: bigint, now: Date): NotApplicable | null {
  const t = p.template;
  const at = now.toISOString();
  if (p.valid_from !== null && at < p.valid_from) return { type: 'coupon_not_yet_valid', valid_from: p.valid_from };
  if (p.valid_until !== null && at >= p.valid_until) return { type: 'coupon_expired', valid_until: p.valid_until };
  if (t.channels.length > 0 && (basket.channel === undefined || !t.channels.includes(basket.channel))) return { type: 'wrong_channel', channels: t.channels };
  if (t.stores.length > 0 && (basket.store === undefined || !t.stores.includes(basket.store))) return { type: 'wrong_store', stores: t.stores };
  if (basketValue < t.min_basket) return { type: 'below_minimum', min_basket: t.min_basket, basket: basketValue };
  if (t.per_member_limit !== null && p.member_used >= t.per_member_limit) return { type: 'member_limit_reached', limit: t.per_member_limit };
  return null;
}

/** The discount on eligible lines whose remaining value is `base`, or why there is none. */
function rewardOn(t: Template, base: bigint, lines: readonly BasketLine[], left: readonly bigint[], idx: readonly number[]): bigint | NotApplicable {
  const r = t.reward;
  switch (r.kind) {
    case 'amount_off':
      return r.amount < base ? r.amount : base;
    case 'percent_off': {
      const raw = (base * r.percent) / 10000n;
      const cents = raw - (raw % CENT);
      return r.cap !== null && cents > r.cap ? r.cap : cents;
    }
    case 'threshold': {
      if (base < r.spend) return { type: 'below_threshold', spend: r.spend, eligible: base };
      let times = r.repeat ? base / r.spend : 1n;
      if (r.max_times !== null && times > BigInt(r.max_times)) times = BigInt(r.max_times);
      const off = r.off * times;
      return off < base ? off : base;
    }
    case 'free_item': {
      const i = idx.find((j) => lines[j]?.sku === r.sku && (lines[j]?.quantity ?? 0) >= r.quantity);
      const line = i === undefined ? undefined : lines[i];
      if (i === undefined || line === undefined) return { type: 'free_item_missing', sku: r.sku, quantity: r.quantity };
      const value = line.unit_price * BigInt(r.quantity);
      const rest = left[i] ?? 0n;
      return value < rest ? value : rest;
    }
    case 'free_shipping':
      return 0n; // handled on shipping, not on lines
    default: {
      const never: never = r;
      throw new Error(`unknown reward ${JSON.stringify(never)}`);
    }
  }
}

/** Spreads a discount over lines in proportion to what is left on each (remainder on the last). */
function spread(left: bigint[], idx: readonly number[], discount: bigint, only?: number): void {
  if (only !== undefined) {
    left[only] = (left[only] ?? 0n) - discount;
    return;
  }
  const base = idx.reduce((s, i) => s + (left[i] ?? 0n), 0n);
  if (base === 0n) return;
  let given = 0n;
  idx.forEach((i, n) => {
    const share = n === idx.length - 1 ? discount - given : ((left[i] ?? 0n) * discount) / base;
    left[i] = (left[i] ?? 0n) - share;
    given += share;
  });
}

/**
 * Applies the presented coupons to the basket: sorted by each template's order (ties keep the
 * order presented), each checked on its own, then against the coupons already applied (an
 * exclusive coupon combines with nothing), then computed on the value left.
 */
export function evaluateBasket(basket: Basket, presented: readonly Presented[], now: Date): Evaluation {
  const lines = basket.lines;
  const left = lines.map(lineValue);
  const basketValue = left.reduce((s, v) => s + v, 0n);
  let shippingLeft = basket.shipping;
  const sorted = presented.map((p, i) => ({ p, i })).sort((a, b) => a.p.template.order - b.p.template.order || a.i - b.i);
  const applied: Applied[] = [];
  const taken: Presented[] = [];
  for (const { p } of sorted) {
    const t = p.template;
    const refuse = (reason: NotApplicable): void => void applied.push({ code: p.code, ok: false, reason });
    const g = gate(p, basket, basketValue, now);
    if (g !== null) {
      refuse(g);
      continue;
    }
    const clash = taken.find((q) => !combinable(q.template, t));
    if (clash !== undefined) {
      refuse({ type: 'not_combinable', with: clash.code });
      continue;
    }
    if (t.reward.kind === 'free_shipping') {
      if (shippingLeft <= 0n) {
        refuse({ type: 'no_shipping' });
        continue;
      }
      applied.push({ code: p.code, ok: true, discount: shippingLeft, kind: t.reward.kind });
      shippingLeft = 0n;
      taken.push(p);
      continue;
    }
    const idx = lines.flatMap((l, i) => (eligible(t, l) ? [i] : []));
    if (idx.length === 0) {
      refuse({ type: 'no_eligible_items' });
      continue;
    }
    const base = idx.reduce((s, i) => s + (left[i] ?? 0n), 0n);
    const d = rewardOn(t, base, lines, left, idx);
    if (typeof d !== 'bigint') {
      refuse(d);
      continue;
    }
    if (d <= 0n) {
      refuse({ type: 'nothing_left', note: 'earlier discounts left nothing for this coupon' });
      continue;
    }
    const r = t.reward;
    const only = r.kind === 'free_item' ? idx.find((j) => lines[j]?.sku === r.sku && (lines[j]?.quantity ?? 0) >= r.quantity) : undefined;
    spread(left, idx, d, only);
    applied.push({ code: p.code, ok: true, discount: d, kind: t.reward.kind });
    taken.push(p);
  }
  const total = applied.reduce((s, a) => s + (a.ok ? a.discount : 0n), 0n);
  return { coupons: applied, total_discount: total, basket_value: basketValue, to_pay: basketValue + basket.shipping - total };
}
