/**
 * Anniversary tier windows: a member qualifies over the membership year that began on the last
 * anniversary of the account's opening (00:00 shop time); the tier year ends on the next one,
 * where the window starts afresh.
 */
import assert from 'node:assert/strict';
import { saveSetting } from '../core/settings/operational.js';
import { text } from '../ops/index.js';
import { loyaltyTest, order, programme } from '../testing/loyalty.js';
import { earnOrder, findAccount, runTierJob, tierStatus } from './index.js';

const config = programme({
  pending_days: 0,
  expiry: { model: 'never' },
  tiers: {
    metric: 'qualifying_points',
    window: 'anniversary',
    downgrade: 'one_step',
    grace_days: 0,
    levels: [
      { code: 'member', name: 'Member', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 100 },
    ],
  },
});

loyaltyTest('anniversary window: points since the account opened qualify until its anniversary (shop time), then the year starts afresh', config, '2025-05-10T02:00:00.000Z', async (w) => {
  await saveSetting(w.store, w.clock, 'shop.timezone', 'Asia/Shanghai', 'test');
  const who = { member_id: 'M1' };
  const tierRow = async (): Promise<[string | null, string | null]> => {
    const a = await w.store.one("SELECT tier, tier_year_ends FROM loyalty_accounts WHERE member_id = 'M1'");
    return [text(a, 'tier'), text(a, 'tier_year_ends')];
  };
  // Opened 10 May 2025, 10:00 in Shanghai: anniversaries fall at 00:00 on 10 May, shop time.
  assert.ok((await earnOrder(w.store, w.clock, 'p1', { who, order: order('o1', '2025-05-10T02:00:00.000Z', ['60']), key: 'o1' })).ok);
  w.clock.set('2026-05-09T10:00:00.000Z');
  assert.ok((await earnOrder(w.store, w.clock, 'p1', { who, order: order('o2', '2026-05-09T10:00:00.000Z', ['50']), key: 'o2' })).ok);
  assert.deepEqual(await tierRow(), ['silver', '2026-05-09T16:00:00.000Z'], 'upgraded on 60 + 50; the tier year ends at the anniversary');

  w.clock.set('2026-05-09T16:00:00.000Z'); // 00:00 on 10 May 2026 in Shanghai
  const job = await runTierJob(w.store, w.clock, 'p1');
  assert.equal(job?.downgrades, 1);
  assert.deepEqual(await tierRow(), ['member', '2027-05-09T16:00:00.000Z'], 'a new membership year with nothing earned in it yet');
  const found = await findAccount(w.store, 'p1', who, '86');
  assert.ok(found.ok);
  assert.equal((await tierStatus(w.store, w.config, found.account, w.clock.now()))?.qualifying, 0n);
});
