/**
 * The ledger's primitives inside one transaction: an entry (a signed change of the balance), the
 * lot moves that make it up, taking lots oldest-expiry-first, and the account's debt. Invariants
 * (checked by check.ts): entry.points = sum of its moves; lot.remaining = sum of the lot's moves;
 * debt = minus the sum of the account's debt moves (moves without a lot).
 */
import { big, isoTime, text, type Dialect, type OpQueries } from '../ops/index.js';

export type EntryKind = 'earn' | 'spend' | 'expire' | 'reverse' | 'adjust' | 'restore' | 'merge_in' | 'merge_out';
export type Cause = 'order' | 'return' | 'cancel' | 'activity' | 'campaign' | 'manual' | 'backfill' | 'spend_rollback' | 'expiry' | 'merge' | 'unmerge';

export interface NewEntry {
  programme_id: string;
  account_id: bigint;
  kind: EntryKind;
  points: bigint;
  cause: Cause;
  cause_ref?: string | null;
  operator?: string | null;
  reason?: string | null;
  idem_key?: string | null;
  related_entry?: bigint | null;
  /** Free text kept with the entry (a return's cumulative returned value). */
  detail?: string | null;
  at: Date;
}

/** Appends an entry; returns its ID. */
export async function addEntry(tx: OpQueries, e: NewEntry): Promise<bigint> {
  const r = await tx.one(
    'INSERT INTO loyalty_entries (programme_id, account_id, kind, points, cause, cause_ref, operator, reason, idem_key, related_entry, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING entry_id',
    [e.programme_id, e.account_id, e.kind, e.points, e.cause, e.cause_ref ?? null, e.operator ?? null, e.reason ?? null, e.idem_key ?? null, e.related_entry ?? null, isoTime(e.at), e.detail ?? null],
  );
  return big(r, 'entry_id');
}

const recordMove = (tx: OpQueries, entryId: bigint, lotId: bigint, points: bigint): Promise<number> =>
  tx.run('INSERT INTO loyalty_lot_moves (entry_id, lot_id, points) VALUES (?, ?, ?)', [entryId, lotId, points]);

/** Records a lot move of an entry and applies it to the lot. */
export async function moveLot(tx: OpQueries, entryId: bigint, lotId: bigint, points: bigint): Promise<void> {
  await recordMove(tx, entryId, lotId, points);
  await tx.run('UPDATE loyalty_lots SET remaining = remaining + ? WHERE lot_id = ?', [points, lotId]);
}

/** Changes an account's debt by `more` (positive: more owed), recorded as a move without a lot. */
export async function moveDebt(tx: OpQueries, entryId: bigint, accountId: bigint, more: bigint): Promise<void> {
  await tx.run('INSERT INTO loyalty_lot_moves (entry_id, lot_id, points) VALUES (?, NULL, ?)', [entryId, -more]);
  await tx.run('UPDATE loyalty_accounts SET debt = debt + ? WHERE account_id = ?', [more, accountId]);
}

export interface NewLot {
  programme_id: string;
  account_id: bigint;
  entry_id: bigint;
  order_id: string | null;
  earned_by: string;
  points: bigint;
  earned_at: Date;
  pending_until: string;
  expires_at: string;
}

/** Creates a lot holding `points` (its first move is the earning entry's, recorded with it). */
export async function addLot(tx: OpQueries, l: NewLot): Promise<bigint> {
  const r = await tx.one(
    "INSERT INTO loyalty_lots (programme_id, account_id, entry_id, order_id, earned_by, points, remaining, earned_at, pending_until, expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open') RETURNING lot_id",
    [l.programme_id, l.account_id, l.entry_id, l.order_id, l.earned_by, l.points, l.points, isoTime(l.earned_at), l.pending_until, l.expires_at],
  );
  const lotId = big(r, 'lot_id');
  await recordMove(tx, l.entry_id, lotId, l.points);
  return lotId;
}

/** Which lots to take from. */
export interface TakeFrom {
  /** Only released lots (spending); otherwise pending lots too (reversal). */
  releasedOnly: boolean;
  /** Only this order's lots. */
  orderId?: string;
}

/**
 * Takes up to `points` from the account's open, unexpired lots, oldest expiry first (ties:
 * earliest earned, then lot ID); returns what was taken. The lots are locked (PostgreSQL).
 */
export async function takeLots(tx: OpQueries, dialect: Dialect, entryId: bigint, accountId: bigint, points: bigint, now: Date, from: TakeFrom): Promise<{ lot_id: bigint; points: bigint }[]> {
  if (points <= 0n) return [];
  const at = isoTime(now);
  const params: (string | bigint)[] = [accountId];
  let where = "account_id = ? AND state = 'open' AND remaining > 0";
  if (from.orderId !== undefined) {
    where += ' AND order_id = ?';
    params.push(from.orderId);
  } else {
    where += ' AND expires_at > ?';
    params.push(at);
  }
  if (from.releasedOnly) {
    where += ' AND pending_until <= ?';
    params.push(at);
  }
  const lots = await tx.all(`SELECT lot_id, remaining FROM loyalty_lots WHERE ${where} ORDER BY expires_at, earned_at, lot_id${dialect.forUpdate}`, params);
  const taken: { lot_id: bigint; points: bigint }[] = [];
  let left = points;
  for (const lot of lots) {
    if (left === 0n) break;
    const have = big(lot, 'remaining');
    const take = have < left ? have : left;
    await moveLot(tx, entryId, big(lot, 'lot_id'), -take);
    taken.push({ lot_id: big(lot, 'lot_id'), points: take });
    left -= take;
  }
  return taken;
}

/** Spendable points: released, unexpired lots, minus debt. */
export async function spendable(tx: OpQueries, accountId: bigint, debt: bigint, now: Date): Promise<bigint> {
  const at = isoTime(now);
  const r = await tx.one("SELECT COALESCE(SUM(remaining), 0) AS s FROM loyalty_lots WHERE account_id = ? AND state = 'open' AND pending_until <= ? AND expires_at > ?", [accountId, at, at]);
  return big(r, 's') - debt;
}

/** An entry as the API shows it. */
export interface Entry {
  entry_id: bigint;
  account_id: bigint;
  kind: string;
  points: bigint;
  cause: string;
  cause_ref: string | null;
  operator: string | null;
  reason: string | null;
  idem_key: string | null;
  related_entry: bigint | null;
  at: string;
  lots: { lot_id: bigint | null; points: bigint }[];
}

/** One entry with its moves. */
export async function readEntry(q: OpQueries, entryId: bigint): Promise<Entry> {
  const r = await q.one('SELECT entry_id, account_id, kind, points, cause, cause_ref, operator, reason, idem_key, related_entry, at FROM loyalty_entries WHERE entry_id = ?', [entryId]);
  if (r === undefined) throw new Error(`entry ${entryId} not found`);
  const moves = await q.all('SELECT lot_id, points FROM loyalty_lot_moves WHERE entry_id = ? ORDER BY COALESCE(lot_id, 0)', [entryId]);
  const related = r['related_entry'];
  return {
    entry_id: big(r, 'entry_id'),
    account_id: big(r, 'account_id'),
    kind: text(r, 'kind') ?? '',
    points: big(r, 'points'),
    cause: text(r, 'cause') ?? '',
    cause_ref: text(r, 'cause_ref'),
    operator: text(r, 'operator'),
    reason: text(r, 'reason'),
    idem_key: text(r, 'idem_key'),
    related_entry: related === null || related === undefined ? null : big(r, 'related_entry'),
    at: text(r, 'at') ?? '',
    lots: moves.map((m) => ({ lot_id: m['lot_id'] === null || m['lot_id'] === undefined ? null : big(m, 'lot_id'), points: big(m, 'points') })),
  };
}
