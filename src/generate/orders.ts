/**
 * One shopping occasion turned into rows: the basket (launched products, the
 * person's favourite category, novelties for novelty seekers, the day's price
 * cut), the order with its lifecycle (unpaid and auto-cancelled, sometimes
 * re-ordered; paid, shipped, completed, clipped at the end of the period),
 * discounts from coupons and cross-store reductions, shipping, returns of paid
 * lines, reviews and shares, and the browsing and inquiries that led to it.
 * All money is integer cents.
 */
import { WeightedTable } from '../core/random.js';
import { DAY } from './calendar.js';
import { POSTAGE } from './catalogue.js';
import type { LineRow, OrderRow } from './emit.js';
import type { Account, PendingCoupon } from './people.js';
import { categoryPath, inquiry, visit, type Ctx } from './sessions.js';
import { RETURN_REASONS, REVIEWS_BAD, REVIEWS_GOOD, REVIEWS_MID, STORES } from './vocab.js';
import type { ChannelIndex } from './world.js';

/** A moment the person decides to buy. */
export interface Occasion {
  t: number;
  /** The campaign whose message led here, or ''. */
  campaign: string;
  /** The account the message reached, preferred for the order. */
  via: Account | null;
}

const QUANTITY = new WeightedTable([1, 2, 3, 4, 5], [80, 13, 4, 2, 1]);
const REASONS = new WeightedTable(
  RETURN_REASONS.map((r) => r[0]),
  RETURN_REASONS.map((r) => r[1]),
);
const RATING = new WeightedTable([1, 2, 3, 4, 5], [3, 2, 6, 22, 67]);
const RATING_AFTER_RETURN = new WeightedTable([1, 2, 3, 4, 5], [35, 25, 20, 10, 10]);
const MINUTE = 60;
const HOUR = 3600;

function chooseAccount(c: Ctx, occ: Occasion): Account | undefined {
  if (occ.via !== null && !occ.via.inStore && occ.via.reg <= occ.t) return occ.via;
  const open = c.p.accounts.filter((a) => a.reg <= occ.t);
  if (open.length === 0) return c.p.accounts[0];
  return open.length === 1
    ? open[0]
    : c.rng.weighted(
        open,
        open.map((a) => a.weight),
      );
}

function basket(c: Ctx, day: number): LineRow[] {
  const { rng, p, w } = c;
  const n = Math.min(6, 1 + rng.poisson(1.5));
  const cut = w.cal.cut[day] ?? 0;
  const lines: LineRow[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    const product = (p.novelty && r < 0.4 ? w.shelf.newest(rng, day) : undefined) ?? w.shelf.draw(rng, day, r < 0.5 ? p.category : -1);
    if (lines.some((l) => l.product === product)) continue;
    const price = product.priceCents;
    lines.push({ product, quantity: QUANTITY.sample(rng), unitCents: cut > 0 ? Math.floor((price * (100 - cut) + 50) / 100) : price });
  }
  return lines;
}

function bestCoupon(a: Account, t: number, productCents: number): PendingCoupon | null {
  let best: PendingCoupon | null = null;
  for (const k of a.coupons) {
    if (!k.used && k.from <= t && t <= k.to && k.thresholdCents <= productCents && (best === null || k.valueCents > best.valueCents)) best = k;
  }
  return best;
}

/** Places the order(s) of one occasion and everything that follows from them. */
export function shop(c: Ctx, occ: Occasion): void {
  const { rng, p, w, out } = c;
  const cal = w.cal;
  if (rng.chance(0.004)) {
    guestOrder(c, occ.t);
    return;
  }
  const a = chooseAccount(c, occ);
  if (a === undefined) return;
  const day = Math.floor(occ.t / DAY);
  let t = a.inStore ? day * DAY + cal.timeOfDay(rng, true, day) : occ.t;
  if (t < a.reg) t = a.reg + rng.int(60, 1800);
  const lines = basket(c, Math.floor(t / DAY));
  const first = lines[0];
  if (t >= cal.end || first === undefined) return;

  let agent = '';
  if (!a.inStore) {
    const session = visit(
      c,
      a,
      t,
      lines.map((l) => l.product),
      true,
      occ.campaign,
    );
    if (rng.chance(0.1)) {
      const q = inquiry(c, a, Math.max(a.reg, 0, t - rng.int(60, 900)), first.product, session);
      agent = q.agent.id;
      if (q.last >= t) t = q.last + rng.int(60, 1800);
    }
  }
  if (t >= cal.end) return;

  let productCents = 0;
  for (const l of lines) productCents += l.unitCents * l.quantity;
  let shipping = 0;
  if ((a.ch === 0 || a.ch === 1) && productCents < 4900) shipping = 600;
  if ((a.ch === 2 || a.ch === 3) && productCents < 9900) shipping = 800;
  if (a.ch === 2 && shipping > 0 && rng.chance(0.5)) {
    lines.push({ product: POSTAGE, quantity: 1, unitCents: shipping });
    shipping = 0;
  }
  let itemTotal = 0;
  for (const l of lines) itemTotal += l.unitCents * l.quantity;
  const megaDay = cal.mega[Math.floor(t / DAY)] === 1;
  let discount = megaDay && a.ch <= 1 ? Math.floor(productCents / 30000) * 4000 : 0;
  const coupon = bestCoupon(a, t, productCents);
  if (coupon !== null) discount += coupon.valueCents;

  // Unpaid orders are cancelled automatically; some buyers re-order at once.
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = out.newOrderId(a.ch, a.storeId);
    const o: OrderRow = {
      id,
      storeId: a.storeId,
      agent,
      created: t,
      paid: Infinity,
      shipped: Infinity,
      completed: Infinity,
      cancelled: Infinity,
      status: 'created',
      itemTotal,
      discount,
      shipping,
      coupons: coupon?.code ?? '',
    };
    const unpaid = !a.inStore && rng.chance(p.deal && megaDay ? 0.2 : 0.14);
    const paidAt = a.inStore ? t : t + rng.int(5, 900);
    if (unpaid || paidAt >= cal.end) {
      const cancel = t + rng.int(15 * MINUTE, 45 * MINUTE);
      if (cancel < cal.end) {
        o.cancelled = cancel;
        o.status = 'cancelled';
      }
      emitOrder(c, a, a.ch, o, lines);
      const again = t + rng.int(2 * MINUTE, 25 * MINUTE);
      if (unpaid && again < cal.end && rng.chance(0.45)) {
        t = again;
        continue;
      }
      return;
    }
    o.paid = paidAt;
    if (a.inStore) {
      o.completed = paidAt;
      o.status = 'completed';
    } else {
      const shipped = paidAt + rng.int(2 * HOUR, (megaDay ? 96 : 48) * HOUR);
      const completed = shipped + rng.int(3 * DAY, 10 * DAY);
      o.status = 'paid';
      if (shipped < cal.end) {
        o.shipped = shipped;
        o.status = 'shipped';
        if (completed < cal.end) {
          o.completed = completed;
          o.status = 'completed';
        }
      }
    }
    emitOrder(c, a, a.ch, o, lines);
    if (coupon !== null) {
      coupon.used = true;
      out.event(a, 'coupon_redeemed', paidAt, { coupon: coupon.code, order: id });
    }
    afterPurchase(c, a, o, lines);
    return;
  }
}

function emitOrder(c: Ctx, a: Account | null, ch: ChannelIndex, o: OrderRow, lines: readonly LineRow[]): void {
  c.out.order(a, ch, o, a === null ? '' : a.buyerName);
  lines.forEach((l, i) => c.out.line(ch, o.id, i + 1, l));
}

/** Returns, reviews and shares of a paid order. */
function afterPurchase(c: Ctx, a: Account | null, o: OrderRow, lines: readonly LineRow[]): void {
  const { rng, p, w, out } = c;
  const end = w.cal.end;
  const ch = a?.ch ?? 4;
  const received = a === null || a.inStore ? o.paid : o.shipped;
  let returned = false;
  if (received !== Infinity) {
    const rate = Math.min(0.5, 0.06 * p.returns);
    const items: Array<readonly [number, LineRow, number]> = [];
    lines.forEach((l, i) => {
      if (l.product.lineType === 'product' && rng.chance(rate)) items.push([i + 1, l, l.quantity === 1 ? 1 : rng.int(1, l.quantity)]);
    });
    const at = received + rng.int(2, 12) * DAY + rng.int(0, 8 * HOUR);
    if (items.length > 0 && at < end) {
      out.returned(a, ch, o.id, items, REASONS.sample(rng), at);
      returned = true;
    }
  }
  if (a === null || a.inStore) return;
  const first = lines[0];
  if (o.shipped !== Infinity && first !== undefined && rng.chance(returned ? 0.35 : 0.15)) {
    const rating = (returned ? RATING_AFTER_RETURN : RATING).sample(rng);
    const text = rating >= 4 ? rng.pick(REVIEWS_GOOD) : rating === 3 ? rng.pick(REVIEWS_MID) : rng.pick(REVIEWS_BAD);
    const at = o.shipped + rng.int(1, 8) * DAY + rng.int(0, 12 * HOUR);
    if (at < end) out.event(a, 'review', at, { sku: first.product.sku, category: categoryPath(first.product), rating, text, order: o.id });
  }
  if (first !== undefined && rng.chance(0.02)) {
    out.event(a, 'share', o.paid + rng.int(HOUR, 3 * DAY), { sku: first.product.sku, order: o.id, source: 'social' });
  }
}

/** A walk-in purchase without a membership card: an order nobody can be matched to. */
function guestOrder(c: Ctx, t0: number): void {
  const { rng, w, out } = c;
  const day = Math.floor(t0 / DAY);
  const t = day * DAY + w.cal.timeOfDay(rng, true, day);
  const lines = basket(c, day);
  const storeId = rng.pick(STORES)[0];
  if (t >= w.cal.end || lines.length === 0) return;
  let total = 0;
  for (const l of lines) total += l.unitCents * l.quantity;
  const o: OrderRow = {
    id: out.newOrderId(4, storeId),
    storeId,
    agent: '',
    created: t,
    paid: t,
    shipped: Infinity,
    completed: t,
    cancelled: Infinity,
    status: 'completed',
    itemTotal: total,
    discount: 0,
    shipping: 0,
    coupons: '',
  };
  emitOrder(c, null, 4, o, lines);
  afterPurchase(c, null, o, lines);
}
