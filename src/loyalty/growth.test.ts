/**
 * Growth value (成长值): tiers qualified by a value of its own that is never spendable. Orders add
 * a rate per currency unit net of returns plus a flat amount; activities add their amounts;
 * spending points takes nothing from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loyaltyTest, order, programme } from '../testing/loyalty.js';
import { balanceOf, earnActivity, earnOrder, findAccount, parseProgramme, reverseOrder, spend, tierStatus } from './index.js';

const NOW = '2026-03-01T10:00:00.000Z';
const config = programme({
  pending_days: 0,
  expiry: { model: 'never' },
  activities: { review: 20 },
  tiers: {
    metric: 'growth',
    growth: { rate: '1', per_order: 10, activities: { review: 50 } },
    window: 'rolling_365',
    downgrade: 'one_step',
    grace_days: 0,
    levels: [
      { code: 'member', name: 'Member', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 200 },
    ],
  },
});

loyaltyTest('growth value: orders net of returns, a flat amount per order and activities qualify for tiers; points spent take nothing from it', config, NOW, async (w) => {
  const who = { member_id: 'M1' };
  const status = async (): Promise<{ tier: string | null; growth: bigint; balance: bigint }> => {
    const found = await findAccount(w.store, 'p1', who, '86');
    assert.ok(found.ok);
    const t = await tierStatus(w.store, w.config, found.account, w.clock.now());
    return { tier: found.account.tier, growth: t?.qualifying ?? -1n, balance: (await balanceOf(w.store, found.account, w.clock.now())).balance };
  };
  assert.ok((await earnOrder(w.store, w.clock, 'p1', { who, order: order('o1', NOW, ['100.00']), key: 'o1' })).ok);
  assert.deepEqual(await status(), { tier: 'member', growth: 110n, balance: 100n }, '100 x 1 + 10 per order');
  assert.ok((await earnActivity(w.store, w.clock, 'p1', { who, activity: 'review', ref: 'r-1', key: 'rev-1' })).ok);
  assert.deepEqual(await status(), { tier: 'member', growth: 160n, balance: 120n }, 'a review: 50 growth, 20 points');
  assert.ok((await reverseOrder(w.store, w.clock, 'p1', { order_id: 'o1', value: '30.00', return_id: 'ret-1', key: 'ret-1' })).ok);
  assert.deepEqual(await status(), { tier: 'member', growth: 130n, balance: 90n }, 'a return of 30 takes 30 growth and 30 points');
  assert.ok((await spend(w.store, w.clock, 'p1', { who, points: 90n, key: 's1' })).ok);
  assert.deepEqual(await status(), { tier: 'member', growth: 130n, balance: 0n }, 'spending takes no growth');
  assert.ok((await earnOrder(w.store, w.clock, 'p1', { who, order: order('o2', NOW, ['80.00']), key: 'o2' })).ok);
  assert.deepEqual(await status(), { tier: 'silver', growth: 220n, balance: 80n }, 'upgrade at once when growth crosses 200');
});

test('growth value: the metric needs its rules', () => {
  const p = parseProgramme({
    programme_id: 'p1',
    name: 'x',
    starts_on: '2026-01-01',
    tiers: { metric: 'growth', window: 'rolling_365', downgrade: 'one_step', grace_days: 0, levels: [{ code: 'member', name: 'Member', threshold: 0 }] },
  });
  assert.equal(p.ok, false);
  assert.match(p.ok ? '' : p.error.errors.join(), /\/tiers\/growth: the metric growth needs its rules/);
});
