/** Expiry: lots whose expires-at has come lose their remaining points, one expire entry per account. */
import type { Clock } from '../core/clock.js';
import { big, isoTime, text, type Dialect, type OpQueries, type OpStore } from '../ops/index.js';
import { addEntry, moveLot } from './lots.js';

/**
 * Expires the open lots past their expiry at `now` (all of the programme's, or only `lotIds`),
 * inside the caller's transaction; returns the points expired.
 */
export async function expireLots(tx: OpQueries, dialect: Dialect, programmeId: string, now: Date, lotIds?: readonly bigint[], limit = 5000): Promise<{ lots: number; points: bigint }> {
  if (lotIds !== undefined && lotIds.length === 0) return { lots: 0, points: 0n };
  const at = isoTime(now);
  const only = lotIds === undefined ? '' : ` AND lot_id IN (${lotIds.map(() => '?').join(', ')})`;
  const rows = await tx.all(
    `SELECT lot_id, account_id, remaining FROM loyalty_lots WHERE programme_id = ? AND state = 'open' AND expires_at <= ?${only} ORDER BY account_id, lot_id LIMIT ${Math.trunc(limit)}${dialect.forUpdate}`,
    [programmeId, at, ...(lotIds ?? [])],
  );
  const byAccount = new Map<bigint, { lot_id: bigint; remaining: bigint }[]>();
  for (const r of rows) {
    const a = big(r, 'account_id');
    const list = byAccount.get(a) ?? [];
    list.push({ lot_id: big(r, 'lot_id'), remaining: big(r, 'remaining') });
    byAccount.set(a, list);
  }
  let points = 0n;
  for (const [account, lots] of byAccount) {
    const total = lots.reduce((s, l) => s + l.remaining, 0n);
    if (total > 0n) {
      const entryId = await addEntry(tx, { programme_id: programmeId, account_id: account, kind: 'expire', points: -total, cause: 'expiry', at: now });
      for (const l of lots) if (l.remaining > 0n) await moveLot(tx, entryId, l.lot_id, -l.remaining);
      points += total;
    }
  }
  if (rows.length > 0) {
    const ids = rows.map((r) => big(r, 'lot_id'));
    await tx.run(`UPDATE loyalty_lots SET state = 'expired' WHERE lot_id IN (${ids.map(() => '?').join(', ')})`, ids);
  }
  return { lots: rows.length, points };
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
