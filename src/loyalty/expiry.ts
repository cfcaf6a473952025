/** Expiry: lots whose expires-at has come lose their remaining points, one expire entry per account. */
import type { Clock } from '../core/clock.js';
import { big, isoTime, text, type Dialect, type OpQueries, type OpStore } from '../ops/index.js';

/** Rows per multi-row statement (well under SQLite's 32,766 parameters). */
const CHUNK = 500;

/**
 * Expires the open lots past their expiry at `now` (all of the programme's, or only `lotIds`),
 * inside the caller's transaction; returns the points expired.
 */
export async function expireLots(tx: OpQueries, dialect: Dialect, programmeId: string, now: Date, lotIds?: readonly bigint[], limit = 5000): Promise<{ lots: number; points: bigint }> {
  if (lotIds !== undefined && lotIds.length === 0) return { lots: 0, points: 0n };
  const at = isoTime(now);
  const only = lotIds === undefined ? '' : ` AND lot_id IN (${lotIds.map(() => '?').join(', ')})`;
  const rows = await tx.all(
    `SELECT lot_id, account_id, remaining FROM loyalty_lots WHERE programme_id = ? AND state = 'open' AND expires_at <= ?${only} ORDER BY expires_at LIMIT ${Math.trunc(limit)}${dialect.forUpdate}`,
    [programmeId, at, ...(lotIds ?? [])],
  );
  const totals = new Map<bigint, bigint>();
  for (const r of rows) totals.set(big(r, 'account_id'), (totals.get(big(r, 'account_id')) ?? 0n) + big(r, 'remaining'));
  // Set-based: one expire entry per account, written in chunks of many rows per statement.
  const entryOf = new Map<bigint, bigint>();
  const accounts = [...totals].filter(([, t]) => t > 0n);
  for (let i = 0; i < accounts.length; i += CHUNK) {
    const part = accounts.slice(i, i + CHUNK);
    const written = await tx.all(
      `INSERT INTO loyalty_entries (programme_id, account_id, kind, points, cause, at) VALUES ${part.map(() => "(?, ?, 'expire', ?, 'expiry', ?)").join(', ')} RETURNING entry_id, account_id`,
      part.flatMap(([account, total]) => [programmeId, account, -total, at]),
    );
    for (const w of written) entryOf.set(big(w, 'account_id'), big(w, 'entry_id'));
  }
  const moves = rows.filter((r) => big(r, 'remaining') > 0n);
  for (let i = 0; i < moves.length; i += CHUNK) {
    const part = moves.slice(i, i + CHUNK);
    await tx.run(
      `INSERT INTO loyalty_lot_moves (entry_id, lot_id, points) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
      part.flatMap((r) => [entryOf.get(big(r, 'account_id')) ?? -1n, big(r, 'lot_id'), -big(r, 'remaining')]),
    );
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    const ids = rows.slice(i, i + CHUNK).map((r) => big(r, 'lot_id'));
    await tx.run(`UPDATE loyalty_lots SET remaining = 0, state = 'expired' WHERE lot_id IN (${ids.map(() => '?').join(', ')})`, ids);
  }
  return { lots: rows.length, points: accounts.reduce((s, [, t]) => s + t, 0n) };
}

/** The expiry job: expires every lot past its expiry at the clock's now, in batches of `batch` lots. */
export async function runExpiry(store: OpStore, clock: Clock, programmeId: string, batch = 5000): Promise<{ lots: number; points: bigint; accounts: number }> {
  const now = clock.now();
  let lots = 0;
  let points = 0n;
  for (;;) {
    const r = await store.transaction((tx) => expireLots(tx, store.dialect, programmeId, now, undefined, batch));
    lots += r.lots;
    points += r.points;
    if (r.lots < batch) break;
  }
  const accounts = text(await store.one("SELECT count(DISTINCT account_id) AS n FROM loyalty_entries WHERE programme_id = ? AND kind = 'expire' AND at = ?", [programmeId, isoTime(now)]), 'n');
  return { lots, points, accounts: Number(accounts ?? '0') };
}
