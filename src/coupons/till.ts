/**
 * At the till: validate (which discount each code gives on this basket, or why not), reserve
 * with a time-to-live (the budget is taken here), redeem (核销) or release; and the whole-order
 * return that puts a redeemed coupon back in the member's hands while it is still valid. Every
 * change runs in one transaction under the caller's idempotency key and is audited.
 */
import type { Clock } from '../core/clock.js';
import { fromUnits } from '../core/decimal.js';
import { audit, big, int, isoTime, text, type OpQueries, type OpRow, type OpStore } from '../ops/index.js';
import { giveBackBudget, takeBudget } from './budget.js';
import { getTemplate, newId, type StoredTemplate } from './catalog.js';
import { evaluateBasket, type Basket, type NotApplicable, type Presented } from './discount.js';
import { once } from './idempotency.js';
import { refusable, refuse, type CouponFailure, type Result } from './result.js';
import { Redemption, Release, Reservation, ReturnResult } from './schemas.js';

export const DEFAULT_TTL_SECONDS = 15 * 60;

const COLUMNS = 'coupon_id, code, member_id, template_id, state, valid_from, valid_until, reserved_until, reservation_id, budget_day, discount, order_id';

/** The member's coupon behind a code: usable first (issued, or a lapsed reservation), else the reason it is not. */
async function findCoupon(q: OpQueries, code: string, memberId: string, now: string, lock: string): Promise<{ row: OpRow } | { failure: CouponFailure }> {
  const rows = await q.all(`SELECT ${COLUMNS} FROM coupons WHERE code = ? AND member_id = ? ORDER BY coupon_id${lock}`, [code, memberId]);
  if (rows.length === 0) {
    const known = await q.one('SELECT count(*) AS n FROM coupon_codes WHERE code = ?', [code]);
    return { failure: big(known, 'n') > 0n ? { type: 'not_your_coupon', code } : { type: 'unknown_code', code } };
  }
  const usable = rows.find((r) => text(r, 'state') === 'issued' || (text(r, 'state') === 'reserved' && (text(r, 'reserved_until') ?? '') <= now));
  if (usable !== undefined) return { row: usable };
  const state = text(rows[0], 'state');
  return { failure: state === 'reserved' ? { type: 'coupon_reserved', code } : state === 'redeemed' ? { type: 'coupon_redeemed', code } : { type: 'coupon_void', code } };
}

async function templateOf(q: OpQueries, row: OpRow): Promise<StoredTemplate> {
  const id = text(row, 'template_id') ?? '';
  const t = await getTemplate(q, id);
  if (t === undefined) throw new Error(`template ${id} is missing`);
  return t;
}

/** Coupons of a template the member has redeemed or holds in a live reservation, other than one coupon. */
async function memberUsed(q: OpQueries, memberId: string, templateId: string, except: number, now: string): Promise<number> {
  const r = await q.one("SELECT count(*) AS n FROM coupons WHERE member_id = ? AND template_id = ? AND coupon_id <> ? AND (state = 'redeemed' OR (state = 'reserved' AND reserved_until > ?))", [
    memberId,
    templateId,
    except,
    now,
  ]);
  return int(r, 'n');
}

const presentedOf = async (q: OpQueries, row: OpRow, memberId: string, now: string): Promise<Presented> => {
  const t = await templateOf(q, row);
  return {
    code: text(row, 'code') ?? '',
    template: t.template,
    valid_from: text(row, 'valid_from'),
    valid_until: text(row, 'valid_until'),
    member_used: await memberUsed(q, memberId, t.template_id, int(row, 'coupon_id'), now),
  };
};

export type CodeCheck =
  | { readonly code: string; readonly applicable: true; readonly kind: string; readonly discount: string }
  | { readonly code: string; readonly applicable: false; readonly reason: NotApplicable | CouponFailure };

export interface Validation {
  readonly coupons: readonly CodeCheck[];
  readonly total_discount: string;
  readonly basket_value: string;
  readonly to_pay: string;
}

/** Which of the codes apply to the basket and how much each takes off, in the order they apply; reasons for the others. A code given twice counts once. Changes nothing. */
export async function validateCodes(store: OpStore, clock: Clock, req: { member_id: string; codes: readonly string[]; basket: Basket }): Promise<Validation> {
  const now = isoTime(clock.now());
  const checks: CodeCheck[] = [];
  const presented: Presented[] = [];
  for (const code of new Set(req.codes)) {
    const found = await findCoupon(store, code, req.member_id, now, '');
    if ('failure' in found) checks.push({ code, applicable: false, reason: found.failure });
    else presented.push(await presentedOf(store, found.row, req.member_id, now));
  }
  const e = evaluateBasket(req.basket, presented, clock.now());
  for (const c of e.coupons) checks.push(c.ok ? { code: c.code, applicable: true, kind: c.kind, discount: fromUnits(c.discount) } : { code: c.code, applicable: false, reason: c.reason });
  return { coupons: checks, total_discount: fromUnits(e.total_discount), basket_value: fromUnits(e.basket_value), to_pay: fromUnits(e.to_pay) };
}

/** Returns lapsed reservations (of one template, or all) to issued and gives their budget back; how many. */
export async function sweepLapsedIn(tx: OpQueries, lock: string, now: string, templateId: string | null, limit = 1000): Promise<number> {
  // Two statements rather than one with `? IS NULL OR`: each uses its index, (state, until) or
  // (template, state, until).
  const rows =
    templateId === null
      ? await tx.all(`SELECT coupon_id, template_id, budget_day, discount FROM coupons WHERE state = 'reserved' AND reserved_until <= ? ORDER BY coupon_id LIMIT ?${lock}`, [now, limit])
      : await tx.all(`SELECT coupon_id, template_id, budget_day, discount FROM coupons WHERE template_id = ? AND state = 'reserved' AND reserved_until <= ? ORDER BY coupon_id LIMIT ?${lock}`, [
          templateId,
          now,
          limit,
        ]);
  for (const r of rows) {
    await tx.run("UPDATE coupons SET state = 'issued', reservation_id = NULL, reserved_until = NULL, discount = NULL, budget_day = NULL WHERE coupon_id = ?", [big(r, 'coupon_id')]);
    await giveBackBudget(tx, text(r, 'template_id') ?? '', text(r, 'budget_day'), big(r, 'discount'));
  }
  return rows.length;
}

/** Sweeps lapsed reservations everywhere (the server runs it every minute); how many lapsed. */
export async function sweepLapsed(store: OpStore, clock: Clock): Promise<number> {
  const now = isoTime(clock.now());
  let total = 0;
  for (;;) {
    const n = await store.transaction((tx) => sweepLapsedIn(tx, store.dialect.forUpdate, now, null));
    total += n;
    if (n < 1000) return total;
  }
}

export interface ReserveRequest {
  readonly key: string;
  readonly member_id: string;
  readonly codes: readonly string[];
  readonly basket: Basket;
  readonly ttl_seconds?: number;
}

/**
 * Reserves the codes for this basket: all apply or none is reserved (`not_applicable` with each
 * reason), the budget of each is taken, and the reservation lapses after the time-to-live.
 */
export async function reserve(store: OpStore, clock: Clock, req: ReserveRequest, actor = 'api'): Promise<Result<Reservation>> {
  const at = clock.now();
  const now = isoTime(at);
  const ttl = req.ttl_seconds ?? DEFAULT_TTL_SECONDS;
  if (req.codes.length === 0 || new Set(req.codes).size !== req.codes.length || !Number.isInteger(ttl) || ttl < 1) {
    return { ok: false, error: { type: 'invalid_request', errors: [{ path: '$.codes', reason: 'one or more different codes, and a whole positive ttl_seconds' }] } };
  }
  const lock = store.dialect.forUpdate;
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'reserve', req.key, { member_id: req.member_id, codes: req.codes, basket: req.basket, ttl }, at, Reservation, async () => {
        const rows: OpRow[] = [];
        for (const code of req.codes) {
          const found = await findCoupon(tx, code, req.member_id, now, lock);
          if ('failure' in found) refuse(found.failure);
          else rows.push(found.row);
        }
        const templates = new Set<string>();
        for (const r of rows) {
          const t = await templateOf(tx, r);
          const b = t.template.budget;
          if (b.count !== null || b.value !== null || b.daily_count !== null || b.daily_value !== null) templates.add(t.template_id);
        }
        for (const t of [...templates].sort()) await sweepLapsedIn(tx, lock, now, t);
        const presented = [];
        for (const r of rows) presented.push(await presentedOf(tx, r, req.member_id, now));
        const e = evaluateBasket(req.basket, presented, at);
        const refused = e.coupons.flatMap((c) => (c.ok ? [] : [{ code: c.code, reason: c.reason }]));
        if (refused.length > 0) refuse({ type: 'not_applicable', reasons: refused });
        const reservationId = newId('R');
        const until = isoTime(new Date(at.getTime() + ttl * 1000));
        const day = now.slice(0, 10);
        const lines: Reservation['coupons'] = [];
        const byCode = new Map(rows.map((r) => [text(r, 'code') ?? '', r]));
        const ordered = e.coupons.flatMap((c) => (c.ok ? [c] : [])).sort((a, b) => (text(byCode.get(a.code), 'template_id') ?? '').localeCompare(text(byCode.get(b.code), 'template_id') ?? ''));
        for (const c of ordered) {
          const row = byCode.get(c.code);
          const templateId = text(row, 'template_id') ?? '';
          const t = await templateOf(tx, row ?? {});
          const taken = await takeBudget(tx, templateId, t.template.budget, day, c.discount);
          await tx.run("UPDATE coupons SET state = 'reserved', reservation_id = ?, reserved_until = ?, discount = ?, budget_day = ?, order_id = NULL WHERE coupon_id = ?", [
            reservationId,
            until,
            c.discount,
            taken ? day : null,
            big(row, 'coupon_id'),
          ]);
        }
        for (const c of e.coupons)
          if (c.ok)
            lines.push({ code: c.code, coupon_id: int(byCode.get(c.code), 'coupon_id'), template_id: text(byCode.get(c.code), 'template_id') ?? '', kind: c.kind, discount: fromUnits(c.discount) });
        await audit(tx, at, actor, 'coupons.reserve', reservationId, { key: req.key, member_id: req.member_id, codes: req.codes, until });
        return {
          reservation_id: reservationId,
          member_id: req.member_id,
          expires_at: until,
          coupons: lines,
          total_discount: fromUnits(e.total_discount),
          basket_value: fromUnits(e.basket_value),
          to_pay: fromUnits(e.to_pay),
        };
      }),
    ),
  );
}

async function reservationRows(tx: OpQueries, lock: string, reservationId: string): Promise<OpRow[]> {
  const rows = await tx.all(`SELECT ${COLUMNS} FROM coupons WHERE reservation_id = ? ORDER BY coupon_id${lock}`, [reservationId]);
  if (rows.length === 0) refuse({ type: 'unknown_reservation', reservation_id: reservationId });
  return rows;
}

/** Redeems (核销) a live reservation for an order. A lapsed reservation must be reserved again. */
export async function redeem(store: OpStore, clock: Clock, req: { key: string; reservation_id: string; order_id: string }, actor = 'api'): Promise<Result<Redemption>> {
  const at = clock.now();
  const now = isoTime(at);
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'redeem', req.key, { reservation_id: req.reservation_id, order_id: req.order_id }, at, Redemption, async () => {
        const rows = await reservationRows(tx, store.dialect.forUpdate, req.reservation_id);
        for (const r of rows) {
          const code = text(r, 'code') ?? '';
          if (text(r, 'state') === 'redeemed') refuse({ type: 'coupon_redeemed', code });
          if (text(r, 'state') !== 'reserved' || (text(r, 'reserved_until') ?? '') <= now) refuse({ type: 'reservation_lapsed', reservation_id: req.reservation_id });
        }
        await tx.run("UPDATE coupons SET state = 'redeemed', order_id = ?, redeemed_at = ? WHERE reservation_id = ?", [req.order_id, now, req.reservation_id]);
        const lines: Redemption['coupons'] = [];
        let total = 0n;
        for (const r of rows) {
          const t = await templateOf(tx, r);
          total += big(r, 'discount');
          lines.push({ code: text(r, 'code') ?? '', coupon_id: int(r, 'coupon_id'), template_id: t.template_id, kind: t.template.reward.kind, discount: fromUnits(big(r, 'discount')) });
        }
        await audit(tx, at, actor, 'coupons.redeem', req.reservation_id, { key: req.key, order_id: req.order_id, codes: lines.map((l) => l.code) });
        return { reservation_id: req.reservation_id, order_id: req.order_id, redeemed_at: now, coupons: lines, total_discount: fromUnits(total) };
      }),
    ),
  );
}

/** Releases a reservation (the customer paid without it, or left): its coupons are usable again and the budget is given back. */
export async function release(store: OpStore, clock: Clock, req: { key: string; reservation_id: string }, actor = 'api'): Promise<Result<Release>> {
  const at = clock.now();
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'release', req.key, { reservation_id: req.reservation_id }, at, Release, async () => {
        const rows = await reservationRows(tx, store.dialect.forUpdate, req.reservation_id);
        const released: string[] = [];
        for (const r of rows) {
          if (text(r, 'state') === 'redeemed') refuse({ type: 'coupon_redeemed', code: text(r, 'code') ?? '' });
          if (text(r, 'state') !== 'reserved') continue;
          await tx.run("UPDATE coupons SET state = 'issued', reservation_id = NULL, reserved_until = NULL, discount = NULL, budget_day = NULL WHERE coupon_id = ?", [big(r, 'coupon_id')]);
          await giveBackBudget(tx, text(r, 'template_id') ?? '', text(r, 'budget_day'), big(r, 'discount'));
          released.push(text(r, 'code') ?? '');
        }
        await audit(tx, at, actor, 'coupons.release', req.reservation_id, { key: req.key, codes: released });
        return { reservation_id: req.reservation_id, released };
      }),
    ),
  );
}

/**
 * A return of an order. Whole: each coupon redeemed on it is issued again while still valid
 * (void once past its validity) and its budget is given back. Partial: the coupons stay redeemed
 * (the customer kept part of what the discount bought); the return is audited.
 */
export async function returnOrder(store: OpStore, clock: Clock, req: { key: string; order_id: string; whole: boolean }, actor = 'api'): Promise<Result<ReturnResult>> {
  const at = clock.now();
  const now = isoTime(at);
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'return', req.key, { order_id: req.order_id, whole: req.whole }, at, ReturnResult, async () => {
        const rows = await tx.all(`SELECT ${COLUMNS} FROM coupons WHERE order_id = ? AND state = 'redeemed' ORDER BY coupon_id${store.dialect.forUpdate}`, [req.order_id]);
        if (rows.length === 0) refuse({ type: 'nothing_to_return', order_id: req.order_id });
        const out: ReturnResult['coupons'] = [];
        for (const r of rows) {
          const code = text(r, 'code') ?? '';
          if (!req.whole) {
            out.push({ code, state: 'redeemed' });
            continue;
          }
          const until = text(r, 'valid_until');
          const state = until === null || until > now ? 'issued' : 'void';
          await tx.run('UPDATE coupons SET state = ?, reservation_id = NULL, reserved_until = NULL, discount = NULL, budget_day = NULL, order_id = NULL, redeemed_at = NULL WHERE coupon_id = ?', [
            state,
            big(r, 'coupon_id'),
          ]);
          await giveBackBudget(tx, text(r, 'template_id') ?? '', text(r, 'budget_day'), big(r, 'discount'));
          out.push({ code, state });
        }
        await audit(tx, at, actor, req.whole ? 'coupons.return' : 'coupons.partial_return', req.order_id, { key: req.key, coupons: out });
        return { order_id: req.order_id, whole: req.whole, coupons: out };
      }),
    ),
  );
}
