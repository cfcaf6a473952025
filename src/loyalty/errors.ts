/** The loyalty domain's expected failures, as values; one table maps them to HTTP statuses and CLI exit codes. */
import type { IdempotencyConflict } from './idempotency.js';
import type { AccountError } from './accounts.js';

export type LoyaltyError =
  | AccountError
  | IdempotencyConflict
  | { type: 'programme_not_found'; message: string }
  | { type: 'invalid_request'; message: string; errors: string[] }
  | { type: 'before_programme_start'; message: string; starts_on: string }
  | { type: 'order_already_earned'; message: string; order_id: string }
  | { type: 'order_not_found'; message: string; order_id: string }
  | { type: 'order_cancelled'; message: string; order_id: string }
  | { type: 'insufficient_points'; message: string; available: bigint; requested: bigint }
  | { type: 'unknown_activity'; message: string; activity: string }
  | { type: 'spend_not_found'; message: string }
  | { type: 'already_rolled_back'; message: string; entry_id: bigint };

/** A domain result: the value, or a tagged error; `replayed` says an idempotency key returned the first result. */
export type LoyaltyResult<T> = ({ ok: true; value: T } | { ok: false; error: LoyaltyError }) & { replayed: boolean };

/** HTTP status of each error type (the API's one table). */
export const ERROR_STATUS: Record<LoyaltyError['type'], number> = {
  account_not_found: 404,
  invalid_identifier: 400,
  idempotency_conflict: 409,
  programme_not_found: 404,
  invalid_request: 400,
  before_programme_start: 422,
  order_already_earned: 409,
  order_not_found: 404,
  order_cancelled: 409,
  insufficient_points: 422,
  unknown_activity: 400,
  spend_not_found: 404,
  already_rolled_back: 409,
};

/** A failure value (helper for the domain's functions). */
export function fail(error: LoyaltyError): { ok: false; error: LoyaltyError } {
  return { ok: false, error };
}
