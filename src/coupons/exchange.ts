/**
 * Points for a coupon: a member exchanges loyalty points for a coupon of a template that names
 * its price in points. One operational transaction issues the coupon and spends the points on
 * the ledger (oldest expiry first), so either both happen or neither; the caller's key makes a
 * retry replay the first answer. Cancelling the coupon unused voids it and gives the same lots
 * their points back, once.
 */
import type { Clock } from '../core/clock.js';
import { rollbackSpendIn, spendIn, type LoyaltyError } from '../loyalty/index.js';
import { audit, big, isoTime, text, type OpStore } from '../ops/index.js';
import { budgetSpent } from './budget.js';
import { getBatch, getTemplate } from './catalog.js';
import { once } from './idempotency.js';
import { issueOneIn } from './issue.js';
import { refusable, refuse, type CouponFailure, type Result } from './result.js';
import { Exchange, ExchangeCancel } from './schemas.js';
import { sweepLapsedIn } from './till.js';

/** A refusal of the points ledger as a coupon refusal. */
function pointsRefusal(e: LoyaltyError): CouponFailure {
  return e.type === 'insufficient_points'
    ? { type: 'insufficient_points', available: e.available.toString(), requested: e.requested.toString() }
    : { type: 'points_refused', reason: e.type, message: e.message };
}

/**
 * Exchanges the template's price in points for one coupon of the batch. Refused, with nothing
 * spent, when the template has no price in points, its budget is used up, the member is at its
 * per-member limit, the batch has no codes left, or the member's spendable points are short.
 */
export async function exchangeForPoints(store: OpStore, clock: Clock, req: { key: string; batch_id: string; member_id: string }, actor = 'api'): Promise<Result<Exchange>> {
  const now = clock.now();
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'exchange', req.key, { batch_id: req.batch_id, member_id: req.member_id }, now, Exchange, async () => {
        const batch = await getBatch(tx, req.batch_id);
        if (batch === undefined) return refuse({ type: 'unknown_batch', batch_id: req.batch_id });
        const st = await getTemplate(tx, batch.template_id);
        const price = st?.template.points_price ?? null;
        if (st === undefined || price === null) return refuse({ type: 'not_for_points', template_id: batch.template_id });
        // Issuing locks the template's row first, so the budget read below cannot change under it.
        const { view } = await issueOneIn(tx, store, now, { batch_id: req.batch_id, member_id: req.member_id, ref: `points:${req.key}` });
        const spent = await budgetSpent(tx, st.template_id, st.template.budget, isoTime(now).slice(0, 10));
        if (spent !== null) refuse({ type: 'budget_exhausted', template_id: st.template_id, limit: spent });
        const spendKey = `coupon-exchange:${req.key}`;
        const paid = await spendIn(tx, store, now, price.programme, { who: { member_id: req.member_id }, points: price.points, key: spendKey });
        if (!paid.ok) return refuse(pointsRefusal(paid.error));
        await tx.run('INSERT INTO coupon_exchanges (coupon_id, programme_id, member_id, points, spend_key, spend_entry, exchanged_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          view.coupon_id,
          price.programme,
          req.member_id,
          price.points,
          spendKey,
          paid.value.entry_id,
          isoTime(now),
        ]);
        await audit(tx, now, actor, 'coupons.exchange', view.code, { key: req.key, batch_id: req.batch_id, member_id: req.member_id, programme_id: price.programme, points: price.points.toString() });
        return { coupon: view, programme_id: price.programme, points: price.points.toString(), spend_entry_id: paid.value.entry_id.toString() };
      }),
    ),
  );
}

/**
 * Cancels a coupon bought with points while it is unused and valid: the coupon becomes void and
 * the spend is rolled back (the same lots, their original expiry). Refused for a coupon that is
 * reserved, redeemed, void or past its validity, or was not bought with points.
 */
export async function cancelExchange(store: OpStore, clock: Clock, req: { key: string; coupon_id: number }, actor = 'api'): Promise<Result<ExchangeCancel>> {
  const at = clock.now();
  const now = isoTime(at);
  const lock = store.dialect.forUpdate;
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'cancel_exchange', req.key, { coupon_id: req.coupon_id }, at, ExchangeCancel, async () => {
        const first = await tx.one('SELECT template_id FROM coupons WHERE coupon_id = ?', [req.coupon_id]);
        if (first === undefined) return refuse({ type: 'unknown_coupon', coupon_id: req.coupon_id });
        await sweepLapsedIn(tx, lock, now, text(first, 'template_id'));
        const row = await tx.one(`SELECT code, state, valid_until FROM coupons WHERE coupon_id = ?${lock}`, [req.coupon_id]);
        const ex = await tx.one(`SELECT programme_id, points, spend_key FROM coupon_exchanges WHERE coupon_id = ?${lock}`, [req.coupon_id]);
        if (ex === undefined) return refuse({ type: 'not_bought_with_points', coupon_id: req.coupon_id });
        const code = text(row, 'code') ?? '';
        const state = text(row, 'state');
        if (state === 'reserved') refuse({ type: 'coupon_reserved', code });
        if (state === 'redeemed') refuse({ type: 'coupon_redeemed', code });
        if (state !== 'issued') refuse({ type: 'coupon_void', code });
        const until = text(row, 'valid_until');
        if (until !== null && until <= now) refuse({ type: 'coupon_expired', code });
        await tx.run("UPDATE coupons SET state = 'void' WHERE coupon_id = ?", [req.coupon_id]);
        const programme = text(ex, 'programme_id') ?? '';
        const back = await rollbackSpendIn(tx, store, at, programme, { spend_key: text(ex, 'spend_key') ?? '', key: `coupon-refund:${req.coupon_id}`, reason: `coupon ${code} cancelled unused` });
        if (!back.ok) return refuse(pointsRefusal(back.error));
        await tx.run('UPDATE coupon_exchanges SET refund_key = ?, refunded_at = ? WHERE coupon_id = ?', [req.key, now, req.coupon_id]);
        await audit(tx, at, actor, 'coupons.cancel_exchange', code, { key: req.key, coupon_id: req.coupon_id, programme_id: programme, points: big(ex, 'points').toString() });
        return { coupon_id: req.coupon_id, code, state: 'void' as const, programme_id: programme, points: big(ex, 'points').toString(), restore_entry_id: back.value.entry_id.toString() };
      }),
    ),
  );
}
