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
  | { readonly type: 'nothing_to_return'; readonly order_id: string };

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
