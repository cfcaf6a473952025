/**
 * Earn rules evaluated on one order, without the store: the earning base (product lines after
 * coupon discounts; postage, fees and other lines earn nothing), the rate, the multipliers that
 * match each line (all matching multipliers multiply), the birthday factor and the first-purchase
 * bonus. Exact: amounts and factors are scaled integers; the order's points are rounded down once.
 */
import { Type, type Static } from '@sinclair/typebox';
import { fromUnits, toUnits } from '../core/decimal.js';
import type { MultiplierRule, ProgrammeConfig, TierLevel } from './programme.js';
import { localDay } from './time.js';

const Money = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' });

export const OrderLine = Type.Object({
  sku: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
  brand: Type.Optional(Type.String()),
  kind: Type.Optional(Type.Union([Type.Literal('product'), Type.Literal('postage'), Type.Literal('fee'), Type.Literal('other')])),
  amount: Money,
});
export type OrderLine = Static<typeof OrderLine>;

export const OrderInput = Type.Object({
  order_id: Type.String({ minLength: 1 }),
  paid_at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'UTC ISO time' }),
  channel: Type.Optional(Type.String()),
  lines: Type.Array(OrderLine, { minItems: 1 }),
  coupon_discount: Type.Optional(Money),
  member_birthday: Type.Optional(Type.String({ pattern: '^\\d{2}-\\d{2}$' })),
});
export type OrderInput = Static<typeof OrderInput>;

const P = 4; // decimal places of amounts and factors
const ONE = 10n ** BigInt(P);

/** What an order earns before caps, and why. */
export interface OrderEarning {
  /** Earning base: product value after coupon discounts (decimal text). */
  base: string;
  /** Points from the base with rate and multipliers, rounded down. */
  from_base: bigint;
  bonus: bigint;
  /** from_base + bonus, before caps. */
  points: bigint;
  /** The multiplier rules that matched at least one line (by position in the programme). */
  matched_rules: number[];
}

function matches(rule: MultiplierRule, line: OrderLine, day: string, channel: string | undefined, tier: string | null): boolean {
  if (rule.tier !== undefined && rule.tier !== tier) return false;
  if (rule.category !== undefined && rule.category !== line.category) return false;
  if (rule.brand !== undefined && rule.brand !== line.brand) return false;
  if (rule.sku !== undefined && rule.sku !== line.sku) return false;
  if (rule.channel !== undefined && rule.channel !== channel) return false;
  if (rule.from !== undefined && day < rule.from) return false;
  if (rule.to !== undefined && day > rule.to) return false;
  return true;
}

/** The earning base of an order in 4-place units (never below zero). */
export function earningBase(order: OrderInput): bigint {
  const products = order.lines.filter((l) => (l.kind ?? 'product') === 'product').reduce((s, l) => s + toUnits(l.amount, P), 0n);
  const base = products - toUnits(order.coupon_discount ?? '0', P);
  return base > 0n ? base : 0n;
}

/**
 * Points an order earns under the programme's rules, before caps.
 * `tier` is the account's tier (its multiplier applies to every line); `firstPurchase` adds the bonus.
 */
export function evaluateOrder(config: ProgrammeConfig, order: OrderInput, ctx: { tier: TierLevel | null; firstPurchase: boolean; zone?: string }): OrderEarning {
  // The day of payment in the shop's time zone: multiplier dates and the birthday.
  const day = localDay(order.paid_at, ctx.zone ?? 'UTC');
  const products = order.lines.filter((l) => (l.kind ?? 'product') === 'product');
  const gross = products.reduce((s, l) => s + toUnits(l.amount, P), 0n);
  const base = earningBase(order);
  const birthday = config.birthday_factor !== undefined && order.member_birthday !== undefined && day.slice(5, 10) === order.member_birthday;
  const matched = new Set<number>();
  const perLine = products.map((line) => {
    const factors: bigint[] = [toUnits(config.rate, P)];
    config.multipliers.forEach((rule, i) => {
      if (matches(rule, line, day, order.channel, ctx.tier?.code ?? null)) {
        factors.push(toUnits(rule.factor, P));
        matched.add(i);
      }
    });
    if (ctx.tier?.multiplier !== undefined) factors.push(toUnits(ctx.tier.multiplier, P));
    if (birthday && config.birthday_factor !== undefined) factors.push(toUnits(config.birthday_factor, P));
    return { amount: toUnits(line.amount, P), factors };
  });
  const k = perLine.reduce((m, l) => Math.max(m, l.factors.length), 0);
  // Σ amount × Π factors, every term at the same scale 10^(P × (1 + k)).
  let numerator = 0n;
  for (const l of perLine) {
    let term = l.amount;
    for (let i = 0; i < k; i++) term *= l.factors[i] ?? ONE;
    numerator += term;
  }
  const scale = ONE ** BigInt(1 + k);
  // Coupon discounts shrink every line in proportion: × base / gross.
  const fromBase = gross <= 0n || base <= 0n || numerator <= 0n ? 0n : (numerator * base) / (scale * gross);
  const bonus = ctx.firstPurchase && base > 0n ? BigInt(config.first_purchase_bonus) : 0n;
  return { base: fromUnits(base, P), from_base: fromBase, bonus, points: fromBase + bonus, matched_rules: [...matched].sort((a, b) => a - b) };
}
