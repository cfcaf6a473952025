/**
 * Spending points (oldest expiry first, never below zero) and rolling a spend back (the same lots
 * get their points back with their original expiry; a lot already past it expires again at once).
 */
import type { Clock } from '../core/clock.js';
import { big, text, type OpQueries, type OpStore } from '../ops/index.js';
import type { WriteContext } from './run.js';
import type { Who } from './accounts.js';
import type { LoyaltyResult } from './errors.js';
import { addEntry, moveLot, readEntry, spendable, takeLots, type Entry } from './lots.js';
import { refuse, targetAccount, write, writeIn } from './run.js';
import { expireLots } from './expiry.js';

type SpendRequest = { who: Who; points: bigint; order_id?: string; key: string };

const spendContent = (req: SpendRequest) => ({ key: req.key, content: { op: 'spend', who: req.who, points: req.points, order_id: req.order_id ?? null } });

function spendBody(programmeId: string, req: SpendRequest): (c: WriteContext) => Promise<{ value: Entry; ref: string }> {
  return async (c) => {
    if (req.points <= 0n) refuse({ type: 'invalid_request', message: 'points to spend must be positive', errors: ['points'] });
    const { account } = await targetAccount(c, req.who, false);
    const available = await spendable(c.tx, account.account_id, account.debt, c.now);
    if (available < req.points)
      refuse({
        type: 'insufficient_points',
        message: `cannot spend ${req.points} points: ${available > 0n ? available : 0n} spendable`,
        available: available > 0n ? available : 0n,
        requested: req.points,
      });
    const entryId = await addEntry(c.tx, {
      programme_id: programmeId,
      account_id: account.account_id,
      kind: 'spend',
      points: -req.points,
      cause: 'order',
      cause_ref: req.order_id ?? null,
      idem_key: req.key,
      at: c.now,
    });
    await takeLots(c.tx, c.store.dialect, entryId, account.account_id, req.points, c.now, { releasedOnly: true });
    return { value: await readEntry(c.tx, entryId), ref: entryId.toString() };
  };
}

const replayEntry = (tx: OpQueries, ref: string): Promise<Entry> => readEntry(tx, BigInt(ref));

/** Spends points of released, unexpired lots; refused with `insufficient_points` beyond the balance. */
export async function spend(store: OpStore, clock: Clock, programmeId: string, req: SpendRequest): Promise<LoyaltyResult<Entry>> {
  return write(store, clock, programmeId, spendContent(req), spendBody(programmeId, req), replayEntry);
}

/** `spend` inside the caller's transaction (points exchanged for a coupon); when refused, the caller rolls back. */
export async function spendIn(tx: OpQueries, store: OpStore, now: Date, programmeId: string, req: SpendRequest): Promise<LoyaltyResult<Entry>> {
  return writeIn(tx, store, now, programmeId, spendContent(req), spendBody(programmeId, req), replayEntry);
}

async function findSpend(q: OpQueries, programmeId: string, spendKey: string): Promise<bigint | null> {
  const r = await q.one("SELECT entry_id FROM loyalty_entries WHERE programme_id = ? AND kind = 'spend' AND idem_key = ?", [programmeId, spendKey]);
  return r === undefined ? null : big(r, 'entry_id');
}

type RollbackRequest = { spend_key: string; key: string; reason?: string };

const rollbackContent = (req: RollbackRequest) => ({ key: req.key, content: { op: 'rollback_spend', spend_key: req.spend_key, reason: req.reason ?? null } });

function rollbackBody(programmeId: string, req: RollbackRequest): (c: WriteContext) => Promise<{ value: Entry; ref: string }> {
  return async (c) => {
    const spendId = await findSpend(c.tx, programmeId, req.spend_key);
    if (spendId === null) refuse({ type: 'spend_not_found', message: `no spend made with idempotency key ${req.spend_key}` });
    const done = await c.tx.one("SELECT entry_id FROM loyalty_entries WHERE kind = 'restore' AND related_entry = ?", [spendId]);
    if (done !== undefined) refuse({ type: 'already_rolled_back', message: `spend ${spendId} was already rolled back`, entry_id: big(done, 'entry_id') });
    const original = await readEntry(c.tx, spendId);
    const { account } = await targetAccount(c, { account_id: original.account_id.toString() }, false);
    const entryId = await addEntry(c.tx, {
      programme_id: programmeId,
      account_id: account.account_id,
      kind: 'restore',
      points: -original.points,
      cause: 'spend_rollback',
      cause_ref: text(await c.tx.one('SELECT cause_ref FROM loyalty_entries WHERE entry_id = ?', [spendId]), 'cause_ref'),
      reason: req.reason ?? null,
      idem_key: req.key,
      related_entry: spendId,
      at: c.now,
    });
    const lots: bigint[] = [];
    for (const m of original.lots) {
      if (m.lot_id === null) continue;
      // A lot the expiry job closed is reopened and expired again below; a lot moved by a merge follows the spend's account.
      await c.tx.run("UPDATE loyalty_lots SET account_id = ?, state = 'open' WHERE lot_id = ?", [account.account_id, m.lot_id]);
      await moveLot(c.tx, entryId, m.lot_id, -m.points);
      lots.push(m.lot_id);
    }
    await expireLots(c.tx, c.store.dialect, programmeId, c.now, lots);
    return { value: await readEntry(c.tx, entryId), ref: entryId.toString() };
  };
}

/**
 * Rolls back a spend (named by the idempotency key it was made with): restores each lot it took,
 * with the lot's original expiry; lots already past it are expired again at once (recorded).
 */
export async function rollbackSpend(store: OpStore, clock: Clock, programmeId: string, req: RollbackRequest): Promise<LoyaltyResult<Entry>> {
  return write(store, clock, programmeId, rollbackContent(req), rollbackBody(programmeId, req), replayEntry);
}

/** `rollbackSpend` inside the caller's transaction (a coupon bought with points cancelled unused); when refused, the caller rolls back. */
export async function rollbackSpendIn(tx: OpQueries, store: OpStore, now: Date, programmeId: string, req: RollbackRequest): Promise<LoyaltyResult<Entry>> {
  return writeIn(tx, store, now, programmeId, rollbackContent(req), rollbackBody(programmeId, req), replayEntry);
}
