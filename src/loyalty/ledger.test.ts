/**
 * The points ledger as scenario tables, each run on SQLite and PostgreSQL: earn with multipliers
 * and caps, pending then released, oldest-expiry-first spending, expiry models on a moved clock,
 * cumulative return reversal (also of spent points), rolled-back spends, idempotency keys.
 * After every scenario the consistency check must pass.
 */
import assert from 'node:assert/strict';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { adjust, balanceOf, dryRun, earnActivity, earnOrder, findAccount, lotsOf, reverseOrder, rollbackSpend, runExpiry, spend, type LoyaltyResult } from './index.js';

type Step =
  | { at?: string; earn: { member?: string; order: Record<string, unknown>; key: string; backfill?: boolean }; expect: bigint | string }
  | { at?: string; activity: { member?: string; activity: string; key: string }; expect: bigint | string }
  | { at?: string; spend: { member?: string; points: bigint; key: string }; expect: bigint | string }
  | { at?: string; reverse: { order_id: string; value?: string; cancel?: boolean; key: string }; expect: bigint | string }
  | { at?: string; rollback: { spend_key: string; key: string }; expect: bigint | string }
  | { at?: string; adjust: { member?: string; points: bigint; key: string }; expect: bigint | string }
  | { at?: string; expire: true; expect: bigint };

interface Scenario {
  description: string;
  given: { programme: Record<string, unknown>; start: string };
  when: Step[];
  expect: { at?: string; balance: { available: bigint; pending: bigint; debt: bigint; balance: bigint }; lots?: Array<[bigint, bigint]>; expires?: string[] };
}

function outcome<T extends { points: bigint }>(r: LoyaltyResult<T>): bigint | string {
  return r.ok ? r.value.points : r.error.type;
}

async function runStep(w: LoyaltyWorld, s: Step): Promise<bigint | string> {
  if (s.at !== undefined) w.clock.set(s.at);
  const p = w.config.programme_id;
  if ('earn' in s)
    return outcome(await earnOrder(w.store, w.clock, p, { who: { member_id: s.earn.member ?? 'M1' }, order: s.earn.order, key: s.earn.key, ...(s.earn.backfill === true ? { backfill: true } : {}) }));
  if ('activity' in s) return outcome(await earnActivity(w.store, w.clock, p, { who: { member_id: s.activity.member ?? 'M1' }, activity: s.activity.activity, key: s.activity.key }));
  if ('spend' in s) return outcome(await spend(w.store, w.clock, p, { who: { member_id: s.spend.member ?? 'M1' }, points: s.spend.points, key: s.spend.key }));
  if ('reverse' in s) return outcome(await reverseOrder(w.store, w.clock, p, s.reverse));
  if ('rollback' in s) return outcome(await rollbackSpend(w.store, w.clock, p, s.rollback));
  if ('adjust' in s)
    return outcome(await adjust(w.store, w.clock, p, { who: { member_id: s.adjust.member ?? 'M1' }, points: s.adjust.points, operator: 'ops@shop', reason: 'goodwill', key: s.adjust.key }));
  return (await runExpiry(w.store, w.clock, p)).points;
}

const NOW0 = '2026-03-01T10:00:00.000Z';
const immediate = { pending_days: 0, expiry: { model: 'never' } };

const scenarios: Scenario[] = [
  {
    description: 'multipliers multiply per line; postage earns nothing; coupon discounts shrink the base; first-purchase bonus; a member day cap cuts the second order',
    given: {
      programme: {
        ...immediate,
        multipliers: [
          { category: 'shoes', factor: '2' },
          { channel: 'tmall', factor: '1.5' },
        ],
        first_purchase_bonus: 50,
        caps: [{ per: 'member', period: 'day', points: 300 }],
      },
      start: NOW0,
    },
    when: [
      // (100 x 2 + 50.50) x (150.50 - 15.05) / 150.50 = 225.45 -> 225, + 50 bonus
      { earn: { order: order('o1', NOW0, [{ amount: '100', category: 'shoes' }, { amount: '50.50' }, { amount: '10', kind: 'postage' }], { coupon_discount: '15.05' }), key: 'k1' }, expect: 275n },
      // 20 x 1.5 = 30, but only 25 left under the 300 day cap
      { earn: { order: order('o2', NOW0, ['20'], { channel: 'tmall' }), key: 'k2' }, expect: 25n },
      // the next day the cap is fresh; no second first-purchase bonus
      { at: '2026-03-02T10:00:00.000Z', earn: { order: order('o3', '2026-03-02T09:00:00.000Z', ['10.99']), key: 'k3' }, expect: 10n },
      // a retry with the same key and content changes nothing; other content under the key is refused
      { earn: { order: order('o3', '2026-03-02T09:00:00.000Z', ['10.99']), key: 'k3' }, expect: 10n },
      { earn: { order: order('o4', '2026-03-02T09:00:00.000Z', ['10.99']), key: 'k3' }, expect: 'idempotency_conflict' },
      { earn: { order: order('o3', '2026-03-02T09:00:00.000Z', ['10.99']), key: 'k3-other' }, expect: 'order_already_earned' },
    ],
    expect: { balance: { available: 310n, pending: 0n, debt: 0n, balance: 310n } },
  },
  {
    description: 'orders before the programme start earn nothing unless backfilled',
    given: { programme: { ...immediate, starts_on: '2026-02-01' }, start: NOW0 },
    when: [
      { earn: { order: order('old', '2026-01-15T10:00:00.000Z', ['40']), key: 'a' }, expect: 'before_programme_start' },
      { earn: { order: order('old', '2026-01-15T10:00:00.000Z', ['40']), key: 'b', backfill: true }, expect: 40n },
    ],
    expect: { balance: { available: 40n, pending: 0n, debt: 0n, balance: 40n } },
  },
  {
    description: 'pending points cannot be spent until the return window has passed',
    given: { programme: { pending_days: 7, expiry: { model: 'never' } }, start: NOW0 },
    when: [
      { earn: { order: order('o1', NOW0, ['100']), key: 'e1' }, expect: 100n },
      { at: '2026-03-08T09:59:59.000Z', spend: { points: 50n, key: 's1' }, expect: 'insufficient_points' },
      { at: '2026-03-08T10:00:00.000Z', spend: { points: 50n, key: 's1' }, expect: -50n },
      { earn: { order: order('o2', '2026-03-08T10:00:00.000Z', ['30']), key: 'e2' }, expect: 30n },
    ],
    expect: { balance: { available: 50n, pending: 30n, debt: 0n, balance: 50n } },
  },
  {
    description: 'spending takes the oldest expiry first, ties by earliest earned',
    given: { programme: { pending_days: 0, expiry: { model: 'period_end', period: 'quarter', periods: 1 } }, start: '2026-04-05T00:00:00.000Z' },
    when: [
      { earn: { order: order('A', '2026-04-02T00:00:00.000Z', ['100']), key: 'a' }, expect: 100n }, // expires 2026-10-01
      { earn: { order: order('C', '2026-03-25T00:00:00.000Z', ['100']), key: 'c' }, expect: 100n }, // expires 2026-07-01
      { earn: { order: order('B', '2026-03-20T00:00:00.000Z', ['100']), key: 'b' }, expect: 100n }, // expires 2026-07-01, earned first
      { spend: { points: 150n, key: 's' }, expect: -150n },
      { spend: { points: 151n, key: 's2' }, expect: 'insufficient_points' },
    ],
    expect: {
      balance: { available: 150n, pending: 0n, debt: 0n, balance: 150n },
      lots: [
        [100n, 100n],
        [100n, 50n],
        [100n, 0n],
      ],
      expires: ['2026-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'],
    },
  },
  {
    description: 'expiry N days after earning, run by the job on the moved clock',
    given: { programme: { pending_days: 0, expiry: { model: 'days', days: 30 } }, start: '2026-01-01T00:00:00.000Z' },
    when: [
      { earn: { order: order('o1', '2026-01-01T00:00:00.000Z', ['100']), key: 'e' }, expect: 100n },
      { at: '2026-01-30T23:59:59.000Z', expire: true, expect: 0n },
      { at: '2026-01-31T00:00:00.000Z', expire: true, expect: 100n },
      { expire: true, expect: 0n },
    ],
    expect: { balance: { available: 0n, pending: 0n, debt: 0n, balance: 0n }, lots: [[100n, 0n]], expires: ['2026-01-31T00:00:00.000Z'] },
  },
  {
    description: 'expiry at the end of the month one month after earning',
    given: { programme: { pending_days: 0, expiry: { model: 'period_end', period: 'month', periods: 1 } }, start: '2026-01-15T00:00:00.000Z' },
    when: [
      { earn: { order: order('o1', '2026-01-15T00:00:00.000Z', ['70']), key: 'e' }, expect: 70n },
      { spend: { points: 20n, key: 's' }, expect: -20n },
      { at: '2026-02-28T23:59:59.000Z', expire: true, expect: 0n },
      { at: '2026-03-01T00:00:00.000Z', expire: true, expect: 50n },
    ],
    expect: { balance: { available: 0n, pending: 0n, debt: 0n, balance: 0n }, expires: ['2026-03-01T00:00:00.000Z'] },
  },
  {
    description: 'default expiry: the end of the calendar year after the year earned',
    given: { programme: { pending_days: 0 }, start: '2026-05-01T00:00:00.000Z' },
    when: [
      { earn: { order: order('o1', '2026-05-01T00:00:00.000Z', ['70']), key: 'e' }, expect: 70n },
      { at: '2027-12-31T23:59:59.000Z', expire: true, expect: 0n },
      { at: '2028-01-01T00:00:00.000Z', expire: true, expect: 70n },
    ],
    expect: { balance: { available: 0n, pending: 0n, debt: 0n, balance: 0n }, expires: ['2028-01-01T00:00:00.000Z'] },
  },
  {
    description: 'yearly wipe (年度清零) on 31 December: points earned before it go, points earned on it last a year',
    given: { programme: { pending_days: 0, expiry: { model: 'yearly_wipe', month: 12, day: 31 } }, start: '2026-05-01T00:00:00.000Z' },
    when: [
      { earn: { order: order('o1', '2026-05-01T00:00:00.000Z', ['70']), key: 'e1' }, expect: 70n },
      { at: '2026-12-31T10:00:00.000Z', earn: { order: order('o2', '2026-12-31T10:00:00.000Z', ['5']), key: 'e2' }, expect: 5n },
      { expire: true, expect: 70n },
    ],
    expect: { balance: { available: 5n, pending: 0n, debt: 0n, balance: 5n }, expires: ['2026-12-31T00:00:00.000Z', '2027-12-31T00:00:00.000Z'] },
  },
  {
    description: 'three returns of a third each reverse all 10 points, also those already spent: own lot, then other lots, then a negative balance',
    given: { programme: immediate, start: NOW0 },
    when: [
      { earn: { order: order('big', NOW0, ['10.00']), key: 'e1' }, expect: 10n },
      { earn: { order: order('other', NOW0, ['5']), key: 'e2' }, expect: 5n },
      { spend: { points: 8n, key: 's1' }, expect: -8n }, // takes 8 of 'big' (earlier lot ID)
      { reverse: { order_id: 'big', value: '3.3333', key: 'r1' }, expect: -3n }, // 2 from big, 1 from other
      { reverse: { order_id: 'big', value: '3.3333', key: 'r1' }, expect: -3n }, // a retry changes nothing
      { reverse: { order_id: 'big', value: '3.3333', key: 'r2' }, expect: -3n }, // floor(10 x 6.6666 / 10) = 6
      { reverse: { order_id: 'big', value: '3.3334', key: 'r3' }, expect: -4n }, // 10 in all: 1 from other, 3 owed
      { reverse: { order_id: 'big', value: '1', key: 'r4' }, expect: 0n },
    ],
    expect: {
      balance: { available: 0n, pending: 0n, debt: 3n, balance: -3n },
      lots: [
        [10n, 0n],
        [5n, 0n],
      ],
    },
  },
  {
    description: 'with deduct_next_earns, what a return could not take is paid from the next earn',
    given: { programme: { ...immediate, shortfall: 'deduct_next_earns' }, start: NOW0 },
    when: [
      { earn: { order: order('o1', NOW0, ['10']), key: 'e1' }, expect: 10n },
      { spend: { points: 10n, key: 's1' }, expect: -10n },
      { reverse: { order_id: 'o1', cancel: true, key: 'c1' }, expect: -10n },
      { reverse: { order_id: 'o1', cancel: true, key: 'c2' }, expect: 'order_cancelled' },
      { earn: { order: order('o2', NOW0, ['25']), key: 'e2' }, expect: 25n },
    ],
    expect: {
      balance: { available: 15n, pending: 0n, debt: 0n, balance: 15n },
      lots: [
        [10n, 0n],
        [25n, 15n],
      ],
    },
  },
  {
    description: 'a rolled-back spend restores the same lots with their expiry; a lot past it expires again at once',
    given: { programme: { pending_days: 0, expiry: { model: 'days', days: 30 } }, start: NOW0 },
    when: [
      { earn: { order: order('o1', NOW0, ['100']), key: 'e1' }, expect: 100n }, // expires 2026-03-31
      { at: '2026-03-10T10:00:00.000Z', earn: { order: order('o2', '2026-03-10T10:00:00.000Z', ['100']), key: 'e2' }, expect: 100n }, // 2026-04-09
      { spend: { points: 150n, key: 's1' }, expect: -150n },
      { rollback: { spend_key: 's1', key: 'rb1' }, expect: 150n },
      { rollback: { spend_key: 's1', key: 'rb2' }, expect: 'already_rolled_back' },
      { spend: { points: 150n, key: 's2' }, expect: -150n },
      { at: '2026-04-01T00:00:00.000Z', expire: true, expect: 0n }, // the first lot is empty when it expires
      { rollback: { spend_key: 's2', key: 'rb3' }, expect: 150n }, // 100 back to the expired lot (expired again), 50 to the second
    ],
    expect: {
      balance: { available: 100n, pending: 0n, debt: 0n, balance: 100n },
      lots: [
        [100n, 0n],
        [100n, 100n],
      ],
      expires: ['2026-03-31T10:00:00.000Z', '2026-04-09T10:00:00.000Z'],
    },
  },
  {
    description: 'activities earn their points at once; manual adjustments take released lots and are refused beyond the balance',
    given: { programme: { ...immediate, activities: { review: 20, sign_in: 5 }, caps: [{ per: 'member', period: 'week', points: 28 }] }, start: NOW0 },
    when: [
      { activity: { activity: 'review', key: 'a1' }, expect: 20n },
      { activity: { activity: 'sign_in', key: 'a2' }, expect: 5n },
      { activity: { activity: 'review', key: 'a3' }, expect: 3n }, // week cap 28
      { activity: { activity: 'dance', key: 'a4' }, expect: 'unknown_activity' },
      { adjust: { points: -30n, key: 'm1' }, expect: 'insufficient_points' },
      { adjust: { points: -8n, key: 'm2' }, expect: -8n },
      { adjust: { points: 100n, key: 'm3' }, expect: 100n },
    ],
    expect: { balance: { available: 120n, pending: 0n, debt: 0n, balance: 120n } },
  },
];

for (const sc of scenarios) {
  loyaltyTest(sc.description, programme(sc.given.programme), sc.given.start, async (w) => {
    for (const [i, step] of sc.when.entries())
      assert.deepEqual(await runStep(w, step), step.expect, `step ${i + 1}: ${JSON.stringify(step, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    if (sc.expect.at !== undefined) w.clock.set(sc.expect.at);
    const found = await findAccount(w.store, w.config.programme_id, { member_id: 'M1' }, '86');
    assert.ok(found.ok);
    const b = await balanceOf(w.store, found.account, w.clock.now());
    assert.deepEqual({ available: b.available, pending: b.pending, debt: b.debt, balance: b.balance }, sc.expect.balance);
    const lots = await lotsOf(w.store, found.account.account_id, true);
    const byId = [...lots].sort((a, b2) => (a.lot_id < b2.lot_id ? -1 : 1));
    if (sc.expect.lots !== undefined)
      assert.deepEqual(
        byId.map((l) => [l.points, l.remaining]),
        sc.expect.lots,
      );
    if (sc.expect.expires !== undefined)
      assert.deepEqual(
        lots.map((l) => l.expires_at),
        sc.expect.expires,
      );
  });
}

loyaltyTest(
  'a dry run says what an order would earn, caps included, and writes nothing',
  programme({ ...immediate, multipliers: [{ sku: 'X', factor: '3' }], caps: [{ per: 'member', period: 'day', points: 50 }] }),
  NOW0,
  async (w) => {
    const o = order('o1', NOW0, [{ amount: '12.5', sku: 'X' }, '4']);
    const r = await dryRun(w.store, 'p1', { member_id: 'M1' }, o);
    assert.ok(r.ok);
    assert.equal(r.value.points, 41n); // 12.5 x 3 + 4 = 41.5
    assert.equal(r.value.after_caps, 41n);
    assert.equal(r.value.base, '16.5000');
    assert.equal((await w.store.one('SELECT count(*) AS n FROM loyalty_entries'))?.['n'], 0n);
    const earned = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: o, key: 'k' });
    assert.ok(earned.ok && earned.value.points === 41n);
    const again = await dryRun(w.store, 'p1', { member_id: 'M1' }, order('o2', NOW0, ['20']));
    assert.ok(again.ok);
    assert.deepEqual([again.value.points, again.value.after_caps], [20n, 9n]);
  },
);
