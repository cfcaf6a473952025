/** Reading an account: balance (the sum of its open lots, minus debt), lots and history. */
import { big, isoTime, text, type OpQueries } from '../ops/index.js';
import type { Account } from './accounts.js';
import { readEntry, type Entry } from './lots.js';

export interface Balance {
  account_id: bigint;
  member_id: string | null;
  tier: string | null;
  /** Released, unexpired points minus debt: what can be spent (never shown above what lots hold). */
  balance: bigint;
  available: bigint;
  pending: bigint;
  debt: bigint;
  /** Points of lots past their expiry that the expiry job has not processed yet. */
  expired_unprocessed: bigint;
}

/** An account's balance at `now`. */
export async function balanceOf(q: OpQueries, account: Account, now: Date): Promise<Balance> {
  const at = isoTime(now);
  const r = await q.one(
    `SELECT
       COALESCE(SUM(CASE WHEN pending_until <= ? AND expires_at > ? THEN remaining ELSE 0 END), 0) AS available,
       COALESCE(SUM(CASE WHEN pending_until > ? AND expires_at > ? THEN remaining ELSE 0 END), 0) AS pending,
       COALESCE(SUM(CASE WHEN expires_at <= ? THEN remaining ELSE 0 END), 0) AS expired
     FROM loyalty_lots WHERE account_id = ? AND state = 'open'`,
    [at, at, at, at, at, account.account_id],
  );
  const available = big(r, 'available');
  return {
    account_id: account.account_id,
    member_id: account.member_id,
    tier: account.tier,
    balance: available - account.debt,
    available,
    pending: big(r, 'pending'),
    debt: account.debt,
    expired_unprocessed: big(r, 'expired'),
  };
}

export interface Lot {
  lot_id: bigint;
  order_id: string | null;
  earned_by: string;
  points: bigint;
  remaining: bigint;
  earned_at: string;
  pending_until: string;
  expires_at: string;
  state: string;
}

/** An account's lots with points left (or all with `all`), in the order they are spent. */
export async function lotsOf(q: OpQueries, accountId: bigint, all = false): Promise<Lot[]> {
  const rows = await q.all(
    `SELECT lot_id, order_id, earned_by, points, remaining, earned_at, pending_until, expires_at, state FROM loyalty_lots WHERE account_id = ?${all ? '' : " AND state = 'open' AND remaining > 0"} ORDER BY expires_at, earned_at, lot_id`,
    [accountId],
  );
  return rows.map((r) => ({
    lot_id: big(r, 'lot_id'),
    order_id: text(r, 'order_id'),
    earned_by: text(r, 'earned_by') ?? '',
    points: big(r, 'points'),
    remaining: big(r, 'remaining'),
    earned_at: text(r, 'earned_at') ?? '',
    pending_until: text(r, 'pending_until') ?? '',
    expires_at: text(r, 'expires_at') ?? '',
    state: text(r, 'state') ?? '',
  }));
}

/** An account's ledger, newest first. */
export async function historyOf(q: OpQueries, accountId: bigint, limit = 100): Promise<Entry[]> {
  const ids = await q.all(`SELECT entry_id FROM loyalty_entries WHERE account_id = ? ORDER BY entry_id DESC LIMIT ${Math.trunc(limit)}`, [accountId]);
  const out: Entry[] = [];
  for (const r of ids) out.push(await readEntry(q, big(r, 'entry_id')));
  return out;
}
