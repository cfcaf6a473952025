/**
 * Calendar arithmetic in the shop's time zone (shop.timezone = Asia/Shanghai, UTC+8): each row
 * acts at an instant near the zone's day boundary, where UTC would name another day, month or year.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { saveSetting } from '../core/settings/operational.js';
import { text } from '../ops/index.js';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { earnOrder, localDay, localMidnight } from './index.js';

const ZONE = 'Asia/Shanghai';

/** Earns an order of one product line for M1 paid at `paid`; returns its points and expiry. */
async function earn(w: LoyaltyWorld, id: string, paid: string, amount: string, extra: Record<string, unknown> = {}): Promise<{ points: bigint; expires_at: string | null }> {
  w.clock.set(paid);
  const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: order(id, paid, [amount], extra), key: id });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return { points: r.value.points, expires_at: r.value.expires_at };
}

interface Scenario {
  description: string;
  given: Record<string, unknown>;
  when: (w: LoyaltyWorld) => Promise<unknown>;
  expect: unknown;
}

const SCENARIOS: Scenario[] = [
  {
    description: 'end-of-month expiry: earned 00:30 on 1 February local (31 January UTC) expires at local 1 March',
    given: { expiry: { model: 'period_end', period: 'month', periods: 0 } },
    when: async (w) => (await earn(w, 'o1', '2026-01-31T16:30:00.000Z', '10')).expires_at,
    expect: '2026-02-28T16:00:00.000Z',
  },
  {
    description: 'end-of-quarter expiry: earned 23:59:59 on 31 March local expires at local 1 April',
    given: { expiry: { model: 'period_end', period: 'quarter', periods: 0 } },
    when: async (w) => (await earn(w, 'o1', '2026-03-31T15:59:59.000Z', '10')).expires_at,
    expect: '2026-03-31T16:00:00.000Z',
  },
  {
    description: 'end-of-year expiry, one year after: earned 01:00 on 1 January 2026 local (2025 in UTC) expires at local 1 January 2028',
    given: { expiry: { model: 'period_end', period: 'year', periods: 1 } },
    when: async (w) => (await earn(w, 'o1', '2025-12-31T17:00:00.000Z', '10')).expires_at,
    expect: '2027-12-31T16:00:00.000Z',
  },
  {
    description: 'yearly wipe on 1 January: at local midnight',
    given: { expiry: { model: 'yearly_wipe', month: 1, day: 1 } },
    when: async (w) => (await earn(w, 'o1', '2026-06-01T04:00:00.000Z', '10')).expires_at,
    expect: '2026-12-31T16:00:00.000Z',
  },
  {
    description: 'daily cap of 100: 23:00 and 23:59 local share a day (80 + 20); 00:00 local starts the next (80)',
    given: { expiry: { model: 'never' }, caps: [{ per: 'member', period: 'day', points: 100 }] },
    when: async (w) => [
      (await earn(w, 'o1', '2026-03-01T15:00:00.000Z', '80')).points,
      (await earn(w, 'o2', '2026-03-01T15:59:00.000Z', '80')).points,
      (await earn(w, 'o3', '2026-03-01T16:00:00.000Z', '80')).points,
    ],
    expect: [80n, 20n, 80n],
  },
  {
    description: 'weekly cap of 100: Sunday 23:30 local and Monday 00:30 local are two ISO weeks',
    given: { expiry: { model: 'never' }, caps: [{ per: 'member', period: 'week', points: 100 }] },
    when: async (w) => [(await earn(w, 'o1', '2026-03-01T15:30:00.000Z', '100')).points, (await earn(w, 'o2', '2026-03-01T16:30:00.000Z', '100')).points],
    expect: [100n, 100n],
  },
  {
    description: 'monthly cap of 100: 31 March 23:30 local and 1 April 00:30 local are two months',
    given: { expiry: { model: 'never' }, caps: [{ per: 'member', period: 'month', points: 100 }] },
    when: async (w) => [(await earn(w, 'o1', '2026-03-31T15:30:00.000Z', '100')).points, (await earn(w, 'o2', '2026-03-31T16:30:00.000Z', '100')).points],
    expect: [100n, 100n],
  },
  {
    description: 'birthday bonus on the local day: paid 00:30 on 2 March local (1 March UTC) for a 03-02 birthday doubles',
    given: { expiry: { model: 'never' }, birthday_factor: '2' },
    when: async (w) => [
      (await earn(w, 'o1', '2026-03-01T16:30:00.000Z', '50', { member_birthday: '03-02' })).points,
      (await earn(w, 'o2', '2026-03-01T15:30:00.000Z', '50', { member_birthday: '03-02' })).points,
    ],
    expect: [100n, 50n],
  },
  {
    description: 'programme start on the local day: paid 00:30 on its first day local (the day before in UTC) earns',
    given: { expiry: { model: 'never' }, starts_on: '2026-03-02' },
    when: async (w) => (await earn(w, 'o1', '2026-03-01T16:30:00.000Z', '50')).points,
    expect: 50n,
  },
  {
    description: 'calendar-year tier: an upgrade at 01:00 on 1 January 2027 local lasts to local 1 January 2028',
    given: {
      expiry: { model: 'never' },
      tiers: {
        metric: 'qualifying_points',
        window: 'calendar_year',
        downgrade: 'one_step',
        grace_days: 0,
        levels: [
          { code: 'member', name: 'Member', threshold: 0 },
          { code: 'silver', name: 'Silver', threshold: 100 },
        ],
      },
    },
    when: async (w) => {
      await earn(w, 'o1', '2026-12-31T17:00:00.000Z', '150');
      const a = await w.store.one("SELECT tier, tier_year_ends FROM loyalty_accounts WHERE member_id = 'M1'");
      return [text(a, 'tier'), text(a, 'tier_year_ends')];
    },
    expect: ['silver', '2027-12-31T16:00:00.000Z'],
  },
];

for (const s of SCENARIOS) {
  loyaltyTest(`shop time zone: ${s.description}`, programme({ pending_days: 0, ...s.given }), '2026-01-01T00:00:00.000Z', async (w) => {
    await saveSetting(w.store, w.clock, 'shop.timezone', ZONE, 'test');
    assert.deepEqual(await s.when(w), s.expect);
  });
}

test('local midnights across a daylight-saving change (Europe/Berlin) and local days', () => {
  assert.equal(localMidnight(2026, 2, 29, 'Europe/Berlin').toISOString(), '2026-03-28T23:00:00.000Z'); // the day clocks go forward
  assert.equal(localMidnight(2026, 2, 30, 'Europe/Berlin').toISOString(), '2026-03-29T22:00:00.000Z');
  assert.equal(localMidnight(2026, 12, 1, 'UTC').toISOString(), '2027-01-01T00:00:00.000Z');
  assert.equal(localDay('2026-03-01T16:00:00.000Z', ZONE), '2026-03-02');
  assert.equal(localDay('2026-03-01T15:59:59.000Z', ZONE), '2026-03-01');
});
