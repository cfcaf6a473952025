/**
 * Returns and cancellations reverse an order's points cumulatively: after each return the order's
 * total reversed = floor(points earned x value returned so far / order value); this return reverses
 * that minus what was already reversed. Taken from the order's own lots first, then other open
 * lots oldest-expiry-first, then recorded as debt (a negative balance, or deducted from the next
 * earns: the programme's `shortfall` setting).
 */
import type { Clock } from '../core/clock.js';
import { fromUnits, toUnits } from '../core/decimal.js';
import { big, int, text, type OpQueries, type OpStore } from '../ops/index.js';
import type { LoyaltyResult } from './errors.js';
import { addEntry, moveDebt, readEntry, takeLots, type Entry } from './lots.js';
import { refuse, targetAccount, write } from './run.js';

export interface ReverseResult extends Entry {
  order_id: string;
  order_points: bigint;
  reversed_total: bigint;
  returned_total: string;
  /** Points that no lot could cover, added to the account's debt. */
  shortfall: bigint;
}

async function readReverse(q: OpQueries, entryId: bigint): Promise<ReverseResult> {
  const e = await readEntry(q, entryId);
  const orderId = text(await q.one('SELECT cause_ref FROM loyalty_entries WHERE entry_id = ?', [entryId]), 'cause_ref') ?? '';
  // The order's totals as of this entry: the sum of its reversals up to and including it.
  const upTo = await q.one(
    "SELECT COALESCE(SUM(-points), 0) AS r FROM loyalty_entries WHERE programme_id = (SELECT programme_id FROM loyalty_entries WHERE entry_id = ?) AND kind = 'reverse' AND cause_ref = ? AND entry_id <= ?",
    [entryId, orderId, entryId],
  );
  const o = await q.one('SELECT points FROM loyalty_orders WHERE order_id = ? AND programme_id = (SELECT programme_id FROM loyalty_entries WHERE entry_id = ?)', [orderId, entryId]);
  const returned = text(await q.one('SELECT detail FROM loyalty_entries WHERE entry_id = ?', [entryId]), 'detail') ?? '0';
  return {
    ...e,
    order_id: orderId,
    order_points: big(o, 'points'),
    reversed_total: big(upTo, 'r'),
    returned_total: returned,
    shortfall: e.lots.filter((m) => m.lot_id === null).reduce((s, m) => s - m.points, 0n),
  };
}

/**
 * Reverses points for a return of `value` (decimal text) of an order, or for its cancellation
 * (everything it earned that is not reversed yet).
 */
export async function reverseOrder(
  store: OpStore,
  clock: Clock,
  programmeId: string,
  req: { order_id: string; value?: string; cancel?: boolean; return_id?: string; key: string },
): Promise<LoyaltyResult<ReverseResult>> {
  return write(
    store,
    clock,
    programmeId,
    { key: req.key, content: { op: 'reverse', order_id: req.order_id, value: req.value ?? null, cancel: req.cancel === true, return_id: req.return_id ?? null } },
    async (c) => {
      const o = await c.tx.one(`SELECT account_id, base, points, returned, reversed, cancelled FROM loyalty_orders WHERE programme_id = ? AND order_id = ?${c.store.dialect.forUpdate}`, [
        programmeId,
        req.order_id,
      ]);
      if (o === undefined) refuse({ type: 'order_not_found', message: `order ${req.order_id} earned no points in programme ${programmeId}`, order_id: req.order_id });
      if (int(o, 'cancelled') === 1) refuse({ type: 'order_cancelled', message: `order ${req.order_id} is already cancelled`, order_id: req.order_id });
      const base = toUnits(text(o, 'base'), 4);
      const earned = big(o, 'points');
      const already = big(o, 'reversed');
      let returned = toUnits(text(o, 'returned'), 4);
      let target: bigint;
      if (req.cancel === true) {
        target = earned;
        returned = base;
      } else {
        if (req.value === undefined || !/^\d+(\.\d+)?$/.test(req.value)) refuse({ type: 'invalid_request', message: 'a return needs its value as a positive decimal', errors: ['value'] });
        returned += toUnits(req.value, 4);
        if (returned > base) returned = base; // returns beyond the earning base reverse no more than everything
        target = base === 0n ? earned : (earned * returned) / base;
      }
      const delta = target - already;
      const { account } = await targetAccount(c, { account_id: big(o, 'account_id').toString() }, false);
      const entryId = await addEntry(c.tx, {
        programme_id: programmeId,
        account_id: account.account_id,
        kind: 'reverse',
        points: -delta,
        cause: req.cancel === true ? 'cancel' : 'return',
        cause_ref: req.order_id,
        reason: req.return_id === undefined ? null : `return ${req.return_id}`,
        detail: fromUnits(returned, 4),
        idem_key: req.key,
        at: c.now,
      });
      let left = delta;
      for (const from of [{ releasedOnly: false, orderId: req.order_id }, { releasedOnly: false }]) {
        const taken = await takeLots(c.tx, c.store.dialect, entryId, account.account_id, left, c.now, from);
        left -= taken.reduce((s, t) => s + t.points, 0n);
      }
      if (left > 0n) await moveDebt(c.tx, entryId, account.account_id, left);
      await c.tx.run('UPDATE loyalty_orders SET returned = ?, reversed = ?, cancelled = ? WHERE programme_id = ? AND order_id = ?', [
        fromUnits(returned, 4),
        target,
        req.cancel === true ? 1 : 0,
        programmeId,
        req.order_id,
      ]);
      return { value: await readReverse(c.tx, entryId), ref: entryId.toString() };
    },
    (tx, ref) => readReverse(tx, BigInt(ref)),
  );
}
