/**
 * The life of one person over the period, from the person's own random stream.
 * Purchases follow a BG/NBD-like process: a personal rate (gamma across people)
 * scaled by the calendar's demand, and after each purchase the person may become
 * inactive for good (beta-distributed dropout). Around that: campaign messages to
 * consenting accounts (delivered, opened, clicked, unsubscribed, coupons, and
 * purchases prompted by clicks), welcome coupons, browsing without buying,
 * community and live-stream activity. Rows are emitted as the person is
 * simulated; nothing about the person is kept afterwards.
 */
import type { Rng } from '../core/random.js';
import { DAY } from './calendar.js';
import type { Product } from './catalogue.js';
import type { Out } from './emit.js';
import { shop, type Occasion } from './orders.js';
import { makePerson, type Account } from './people.js';
import { inquiry, visit, type Ctx } from './sessions.js';
import { WELCOME, type Campaign, type Contact, type World } from './world.js';

const DELIVERED: Record<Contact, number> = { sms: 0.97, email: 0.92, wechat: 0.98, app_push: 0.85 };
const OPENED: Record<Contact, number> = { sms: 0, email: 0.22, wechat: 0.45, app_push: 0.12 };
const UNSUBSCRIBED: Record<Contact, number> = { sms: 0.006, email: 0.005, wechat: 0.002, app_push: 0.002 };

/** Simulates person number idx and emits all of their rows. */
export function simulatePerson(w: World, out: Out, people: Rng, idx: number): void {
  const rng = people.fork(idx);
  const p = makePerson(w, idx, rng);
  const c: Ctx = { w, out, rng, p };
  for (const a of p.accounts) out.member(a);

  const occasions: Occasion[] = [];
  const lastActive = purchases(c, occasions);
  welcome(c);
  for (const k of w.campaigns) campaign(c, k, lastActive, occasions);
  browsing(c, lastActive);
  social(c);
  occasions.sort((x, y) => x.t - y.t);
  for (const o of occasions) shop(c, o);

  for (const a of p.accounts) for (const k of a.consents) out.consent(a, k);
  for (const a of p.accounts) if (a.used) out.truthRow(p, a);
}

/** Draws the person's own purchase times; returns when they became inactive (Infinity if still active, -Infinity if never). */
function purchases(c: Ctx, occasions: Occasion[]): number {
  const { rng, p, w } = c;
  const cal = w.cal;
  if (!p.buyer) return -Infinity;
  const cum = p.deal ? cal.cumDeal : cal.cumNormal;
  let u = 0;
  if (!p.existing) {
    // Half the new members join at their first checkout; the others buy later.
    const first = rng.chance(0.55) ? p.reg + rng.int(2, 40) * 60 : timeAt(c, cum, cal.opTime(cum, p.reg) + rng.exponential(1 / 20));
    if (first >= cal.end) return Infinity;
    occasions.push({ t: first, campaign: '', via: null });
    if (rng.chance(p.dropout)) return first;
    u = cal.opTime(cum, first);
  }
  for (;;) {
    u += rng.exponential(p.lambda);
    const t = timeAt(c, cum, u);
    if (t >= cal.end) return Infinity;
    occasions.push({ t, campaign: '', via: null });
    if (rng.chance(p.dropout)) return t;
  }
}

/** The time at which accumulated demand reaches u (a day from the calendar, an hour from the online profile). */
function timeAt(c: Ctx, cum: Float64Array, u: number): number {
  const day = c.w.cal.dayAt(cum, u);
  return day < 0 ? Infinity : day * DAY + c.w.cal.timeOfDay(c.rng, false, day);
}

function newCoupon(c: Ctx, a: Account, prefix: string, at: number, value: number, threshold: number, days: number, campaignId: string): void {
  const n = ++c.w.counters.coupons;
  const code = `${prefix}-${n.toString(36).toUpperCase().padStart(5, '0')}`;
  a.coupons.push({ code, valueCents: value, thresholdCents: threshold, from: at, to: at + days * DAY, used: false });
  c.out.event(a, 'coupon_received', at, campaignId === '' ? { coupon: code } : { coupon: code, campaign: campaignId });
}

/** A welcome coupon for joining through an owned channel during the period. */
function welcome(c: Ctx): void {
  for (const a of c.p.accounts) {
    if (a.member && a.ch >= 2 && a.reg >= 0 && c.rng.chance(0.5)) {
      newCoupon(c, a, 'WELCOME', a.reg + c.rng.int(5, 120), WELCOME.valueCents, WELCOME.thresholdCents, WELCOME.days, '');
    }
  }
}

/** One campaign's messages to this person's consenting accounts, and what they lead to. */
function campaign(c: Ctx, k: Campaign, lastActive: number, occasions: Occasion[]): void {
  const { rng, out, w, p } = c;
  if (k.send < 0 || k.send >= w.cal.end) return;
  for (const a of p.accounts) {
    const consent = a.consents.find((x) => x.contact === k.via && x.at <= k.send && x.withdrawn > k.send);
    if (consent === undefined || !rng.chance(k.reach) || !rng.chance(DELIVERED[k.via])) continue;
    const props = `{"via":"${k.via}"}`;
    const at = k.send + rng.int(0, 900);
    out.event(a, 'message_delivered', at, { campaign: k.id, properties: props });
    if (k.coupon !== null) newCoupon(c, a, k.id.slice(0, 6), at, k.coupon.valueCents, k.coupon.thresholdCents, k.coupon.days, k.id);
    let seen = at;
    let clicked = false;
    if (k.via === 'sms') clicked = rng.chance(0.04);
    else if (rng.chance(OPENED[k.via])) {
      seen = at + Math.round(rng.logNormal(7.5, 1.2));
      out.event(a, 'message_opened', seen, { campaign: k.id, properties: props });
      clicked = rng.chance(0.2);
    }
    if (clicked) {
      seen += rng.int(5, 600);
      out.event(a, 'message_clicked', seen, { campaign: k.id, properties: props });
      if (seen < lastActive && rng.chance(0.25)) occasions.push({ t: seen + rng.int(600, 3 * DAY), campaign: k.id, via: a });
      else if (!a.inStore) visit(c, a, seen + rng.int(30, 600), [w.shelf.draw(rng, Math.floor(seen / DAY), p.category)], false, k.id);
    }
    if (rng.chance(UNSUBSCRIBED[k.via])) {
      const when = seen + rng.int(60, 3600);
      if (when < w.cal.end) {
        consent.withdrawn = when;
        out.event(a, 'unsubscribed', when, { campaign: k.id, properties: props });
      }
    }
  }
}

/** Visits that end without an order: bounces, browsing, abandoned carts, questions not followed by a purchase. */
function browsing(c: Ctx, lastActive: number): void {
  const { rng, p, w } = c;
  const cal = w.cal;
  const online = p.accounts.filter((a) => !a.inStore);
  const firstOnline = online[0];
  if (firstOnline === undefined) return;
  const from = Math.max(0, firstOnline.reg);
  const until = Math.min(cal.end, lastActive === Infinity ? cal.end : Math.max(lastActive, p.reg) + 90 * DAY);
  if (until <= from) return;
  const u0 = cal.opTime(cal.cumNormal, from);
  const u1 = cal.opTime(cal.cumNormal, until);
  const n = Math.min(40, rng.poisson(p.browse * (u1 - u0)));
  for (let i = 0; i < n; i++) {
    const day = cal.dayAt(cal.cumNormal, u0 + rng.next() * (u1 - u0));
    if (day < 0) continue;
    const t = Math.max(from, day * DAY + cal.timeOfDay(rng, false, day));
    const open = online.filter((a) => a.reg <= t);
    const a =
      open.length <= 1
        ? firstOnline
        : rng.weighted(
            open,
            open.map((x) => x.weight),
          );
    const products: Product[] = [];
    for (let k = rng.int(1, 3); k > 0; k--) products.push(w.shelf.draw(rng, day, rng.chance(0.5) ? p.category : -1));
    const session = visit(c, a, t, products, false, '');
    const first = products[0];
    if (first !== undefined && rng.chance(0.05)) inquiry(c, a, t, first, session);
  }
}

/** Community groups and live streams (a custom event type with JSON properties). */
function social(c: Ctx): void {
  const { rng, p, w, out } = c;
  const end = w.cal.end;
  for (const a of p.accounts) {
    if (a.ch === 3 && rng.chance(0.12)) {
      const joined = Math.max(0, a.reg) + Math.round(rng.exponential(1 / 60) * DAY);
      const group = `{"group":"VIP${(p.idx % 24) + 1}"}`;
      out.event(a, 'community_join', joined, { properties: group });
      for (let k = rng.poisson(2); k > 0; k--) {
        out.event(a, 'community_post', joined + rng.int(600, 200 * DAY), { properties: group, words: rng.int(3, 80) });
      }
    }
    if (a.ch === 0 || a.ch === 3) {
      const from = Math.max(0, a.reg);
      for (let k = rng.poisson(0.25); k > 0 && from < end; k--) {
        const day = Math.floor((from + rng.next() * (end - from)) / DAY);
        const at = day * DAY + 20 * 3600 + rng.int(0, 7199);
        const props = `{"stream_id":"LS${w.cal.date(day).replace(/-/g, '')}","minutes":${rng.int(1, 90)}}`;
        out.event(a, 'live_stream_watch', Math.max(from, at), { properties: props });
      }
    }
  }
}
