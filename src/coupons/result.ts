/**
 * Expected failures of coupon operations, as tagged values. Inside a transaction a refusal is
 * thrown as `Refusal` so that everything the transaction wrote is rolled back; `refusable` turns
 * it back into a value at the edge of the operation.
 */
import { fromUnits } from '../core/decimal.js';
import type { NotApplicable } from './discount.js';
import type { FieldError } from './template.js';

export type CouponFailure =
  | { readonly type: 'invalid_request'; readonly errors: readonly FieldError[] }
  | { readonly type: 'idempotency_conflict'; readonly key: string; readonly op: string }
  | { readonly type: 'unknown_template'; readonly template_id: string }
  | { readonly type: 'unknown_batch'; readonly batch_id: string }
  | { readonly type: 'unknown_code'; readonly code: string }
  | { readonly type: 'not_your_coupon'; readonly code: string }
  | { readonly type: 'unknown_reservation'; readonly reservation_id: string }
  | { readonly type: 'coupon_reserved'; readonly code: string }
  | { readonly type: 'coupon_redeemed'; readonly code: string }
  | { readonly type: 'coupon_void'; readonly code: string }
  | { readonly type: 'reservation_lapsed'; readonly reservation_id: string }
  | { readonly type: 'not_applicable'; readonly reasons: ReadonlyArray<{ readonly code: string; readonly reason: NotApplicable }> }
  | { readonly type: 'budget_exhausted'; readonly template_id: string; readonly limit: 'count' | 'value' | 'daily_count' | 'daily_value' }
  | { readonly type: 'member_limit_reached'; readonly template_id: string; readonly limit: number }
  | { readonly type: 'codes_exhausted'; readonly batch_id: string }
  | { readonly type: 'code_space_too_small'; readonly space: string; readonly count: number; readonly need: string }
  | { readonly type: 'codes_taken'; readonly codes: readonly string[] }
  | { readonly type: 'nothing_to_return'; readonly order_id: string }
  | { readonly type: 'unknown_coupon'; readonly coupon_id: number }
  | { readonly type: 'not_for_points'; readonly template_id: string }
  | { readonly type: 'no_allowance'; readonly template_id: string }
  | { readonly type: 'not_bought_with_points'; readonly coupon_id: number }
  | { readonly type: 'coupon_expired'; readonly code: string }
  | { readonly type: 'insufficient_points'; readonly available: string; readonly requested: string }
  | { readonly type: 'points_refused'; readonly reason: string; readonly message: string };

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CouponFailure };

/** A refusal thrown inside a transaction so that it rolls back; never escapes `refusable`. */
export class Refusal extends Error {
  constructor(readonly failure: CouponFailure) {
    super(failure.type);
    this.name = 'Refusal';
  }
}

/** Runs fn (usually a transaction); a Refusal becomes `{ ok: false, error }`, anything else is a bug and propagates. */
export async function refusable<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: err.failure };
    throw err;
  }
}

/** Throws a refusal (inside a transaction). */
export function refuse(failure: CouponFailure): never {
  throw new Refusal(failure);
}

/** A value for JSON output: bigints (money units) become decimal strings with 4 places. */
export function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return fromUnits(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

/** One line for people (the CLI; the API sends the value itself with this as `message`). */
export function failureMessage(f: CouponFailure): string {
  switch (f.type) {
    case 'invalid_request':
      return `invalid request: ${f.errors.map((e) => `${e.path} ${e.reason}`).join('; ')}`;
    case 'idempotency_conflict':
      return `key ${f.key} was already used for a different ${f.op} request`;
    case 'unknown_template':
      return `no template ${f.template_id}`;
    case 'unknown_batch':
      return `no batch ${f.batch_id}`;
    case 'unknown_code':
      return `no coupon code ${f.code}`;
    case 'not_your_coupon':
      return `code ${f.code} does not belong to this member`;
    case 'unknown_reservation':
      return `no reservation ${f.reservation_id}`;
    case 'coupon_reserved':
      return `code ${f.code} is reserved by another checkout`;
    case 'coupon_redeemed':
      return `code ${f.code} is already redeemed`;
    case 'coupon_void':
      return `code ${f.code} is void`;
    case 'reservation_lapsed':
      return `reservation ${f.reservation_id} lapsed; reserve again`;
    case 'not_applicable':
      return `not applicable: ${f.reasons.map((r) => `${r.code} ${r.reason.type}`).join('; ')}`;
    case 'budget_exhausted':
      return `the budget of template ${f.template_id} is used up (${f.limit})`;
    case 'member_limit_reached':
      return `the member already holds ${f.limit} coupon(s) of template ${f.template_id}`;
    case 'codes_exhausted':
      return `batch ${f.batch_id} has no codes left`;
    case 'code_space_too_small':
      return `the pattern gives ${f.space} codes; ${f.count} codes need a space of at least ${f.need} (lengthen the pattern or widen the charset)`;
    case 'codes_taken':
      return `codes already used by another batch: ${f.codes.join(', ')}`;
    case 'nothing_to_return':
      return `no redeemed coupon on order ${f.order_id}`;
    case 'unknown_coupon':
      return `no coupon ${f.coupon_id}`;
    case 'not_for_points':
      return `template ${f.template_id} has no price in points`;
    case 'no_allowance':
      return `template ${f.template_id} grants no tier allowance`;
    case 'not_bought_with_points':
      return `coupon ${f.coupon_id} was not bought with points`;
    case 'coupon_expired':
      return `code ${f.code} is past its validity`;
    case 'insufficient_points':
      return `${f.requested} points needed, ${f.available} spendable`;
    case 'points_refused':
      return `the points ledger refused: ${f.message}`;
    default: {
      const never: never = f;
      return JSON.stringify(never);
    }
  }
}
