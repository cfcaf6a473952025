/**
 * Points for a coupon, as scenarios on both engines: the spend takes the oldest-expiring lots,
 * a retry replays, other content under the key is refused, a short balance or a spent budget
 * refuses with nothing spent, and a coupon cancelled unused gives its points back once. The
 * ledger's consistency check runs after each scenario.
 */
import assert from 'node:assert/strict';
import { balanceOf, earnOrder, findAccount, lotsOf } from '../loyalty/index.js';
import { int } from '../ops/index.js';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { cancelExchange, exchangeForPoints } from './exchange.js';
import { issueCoupon } from './issue.js';
import { basketOf, setUp } from './testkit.js';
import { redeem, reserve } from './till.js';

const config = programme({ pending_days: 0, expiry: { model: 'days', days: 365 } });
const START = '2026-03-01T10:00:00.000Z';
const PRICED = { kind: 'amount_off', amount: '20', points_price: { programme: 'p1', points: 400 } };

/** M1 earns 300 points on 1 March and 300 on 11 March (lots expiring a year after each). */
async function earnTwice(w: LoyaltyWorld): Promise<void> {
  for (const [id, at] of [
    ['O1', '2026-03-01T10:00:00Z'],
    ['O2', '2026-03-11T10:00:00Z'],
  ] as const) {
    w.clock.set(at);
    const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: order(id, at, ['300']), key: `earn-${id}` });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
  }
  w.clock.set('2026-03-20T10:00:00Z');
}

async function ledger(w: LoyaltyWorld): Promise<{ available: bigint; lots: bigint[] }> {
  const a = await findAccount(w.store, 'p1', { member_id: 'M1' }, '86');
  if (!a.ok) throw new Error(JSON.stringify(a));
  return { available: (await balanceOf(w.store, a.account, w.clock.now())).available, lots: (await lotsOf(w.store, a.account.account_id)).map((l) => l.remaining) };
}

const couponsOf = async (w: LoyaltyWorld, state: string): Promise<number> => int(await w.store.one('SELECT count(*) AS n FROM coupons WHERE member_id = ? AND state = ?', ['M1', state]), 'n');

interface Scenario {
  description: string;
  template: Record<string, unknown>;
  when: (w: LoyaltyWorld, batch: string) => Promise<string[]>;
  expect: { outcomes: string[]; available: bigint; lots: bigint[]; issued: number; void?: number };
}

const scenarios: Scenario[] = [
  {
    description: 'an exchange spends the oldest-expiring lot first and issues the coupon; a retry replays; the key with another batch is refused',
    template: PRICED,
    when: async (w, batch) => {
      const first = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      const again = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      const other = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: 'B-other', member_id: 'M1' });
      assert.ok(first.ok && again.ok);
      assert.deepEqual(again.value, first.value, 'the retry answers with the first coupon');
      return [`coupon for ${first.value.points}`, 'replayed', other.ok ? 'ok' : other.error.type];
    },
    expect: { outcomes: ['coupon for 400', 'replayed', 'idempotency_conflict'], available: 200n, lots: [200n], issued: 1 },
  },
  {
    description: 'a short balance is refused with the points available; nothing spent, no coupon',
    template: { ...PRICED, points_price: { programme: 'p1', points: 601 } },
    when: async (w, batch) => {
      const r = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      return [r.ok ? 'ok' : `${r.error.type}${r.error.type === 'insufficient_points' ? ` ${r.error.available}/${r.error.requested}` : ''}`];
    },
    expect: { outcomes: ['insufficient_points 600/601'], available: 600n, lots: [300n, 300n], issued: 0 },
  },
  {
    description: "the template's budget is spent: refused with the limit, nothing spent",
    template: { ...PRICED, budget: { count: 1 } },
    when: async (w, batch) => {
      // Another member's coupon takes the one unit of budget at reservation.
      const other = await issueCoupon(w.store, w.clock, { key: 'i-M2', batch_id: batch, member_id: 'M2' });
      assert.ok(other.ok);
      const held = await reserve(w.store, w.clock, { key: 'r-M2', member_id: 'M2', codes: [other.value.code], basket: basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] }) });
      assert.ok(held.ok, JSON.stringify(held));
      const r = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      return [r.ok ? 'ok' : `${r.error.type}${r.error.type === 'budget_exhausted' ? ` ${r.error.limit}` : ''}`];
    },
    expect: { outcomes: ['budget_exhausted count'], available: 600n, lots: [300n, 300n], issued: 0 },
  },
  {
    description: 'a template without a price in points cannot be bought',
    template: { kind: 'amount_off', amount: '20' },
    when: async (w, batch) => {
      const r = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      return [r.ok ? 'ok' : r.error.type];
    },
    expect: { outcomes: ['not_for_points'], available: 600n, lots: [300n, 300n], issued: 0 },
  },
  {
    description: 'cancelled unused: void, the same lots get their points back once; a retry replays; another key is refused; a redeemed coupon cannot be cancelled',
    template: PRICED,
    when: async (w, batch) => {
      const a = await exchangeForPoints(w.store, w.clock, { key: 'x1', batch_id: batch, member_id: 'M1' });
      const b = await exchangeForPoints(w.store, w.clock, { key: 'x2', batch_id: batch, member_id: 'M1' });
      assert.ok(a.ok && !b.ok, 'the second exchange finds 200 points');
      const c1 = await cancelExchange(w.store, w.clock, { key: 'c1', coupon_id: a.value.coupon.coupon_id });
      const c1again = await cancelExchange(w.store, w.clock, { key: 'c1', coupon_id: a.value.coupon.coupon_id });
      const c2 = await cancelExchange(w.store, w.clock, { key: 'c2', coupon_id: a.value.coupon.coupon_id });
      // Bought again and redeemed: no longer cancellable.
      const d = await exchangeForPoints(w.store, w.clock, { key: 'x3', batch_id: batch, member_id: 'M1' });
      assert.ok(d.ok, JSON.stringify(d));
      const basket = basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] });
      const r = await reserve(w.store, w.clock, { key: 'r1', member_id: 'M1', codes: [d.value.coupon.code], basket });
      assert.ok(r.ok);
      assert.ok((await redeem(w.store, w.clock, { key: 'd1', reservation_id: r.value.reservation_id, order_id: 'SH-1' })).ok);
      const c3 = await cancelExchange(w.store, w.clock, { key: 'c3', coupon_id: d.value.coupon.coupon_id });
      return [
        b.ok ? 'ok' : b.error.type,
        c1.ok ? `void, ${c1.value.points} back` : c1.error.type,
        c1again.ok && c1.ok && c1again.value.restore_entry_id === c1.value.restore_entry_id ? 'replayed' : 'not replayed',
        c2.ok ? 'ok' : c2.error.type,
        c3.ok ? 'ok' : c3.error.type,
      ];
    },
    expect: { outcomes: ['insufficient_points', 'void, 400 back', 'replayed', 'coupon_void', 'coupon_redeemed'], available: 200n, lots: [200n], issued: 0, void: 1 },
  },
];

for (const s of scenarios) {
  loyaltyTest(`points for a coupon: ${s.description}`, config, START, async (w) => {
    await earnTwice(w);
    const set = await setUp(w.store, w.clock, s.template, []);
    const outcomes = await s.when(w, set.batch_id);
    assert.deepEqual(outcomes, s.expect.outcomes);
    assert.deepEqual(await ledger(w), { available: s.expect.available, lots: s.expect.lots });
    assert.equal(await couponsOf(w, 'issued'), s.expect.issued);
    assert.equal(await couponsOf(w, 'void'), s.expect.void ?? 0);
  });
}
