/**
 * Tiers as scenario tables on both engines: upgrade at once when released points cross a
 * threshold (pending points do not count), the tier's earn multiplier, downgrade by one step or
 * to the earned level after the tier year and its grace period, renewal, "points to keep".
 */
import assert from 'node:assert/strict';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { earnOrder, findAccount, runTierJob, tierHistory, tierStatus } from './index.js';

type Step = { at: string; earn: string; expect: { tier: string | null; points?: bigint } } | { at: string; job: true; expect: { tier: string | null; to_keep?: bigint } };

interface Scenario {
  description: string;
  given: { tiers: Record<string, unknown>; pending_days: number };
  when: Step[];
  expect: { history: string[] };
}

const LEVELS = [
  { code: 'member', name: '会员', threshold: 0 },
  { code: 'silver', name: '银卡', threshold: 100, multiplier: '1.5' },
  { code: 'gold', name: '金卡', threshold: 500, multiplier: '2' },
];
const tiers = (over: Record<string, unknown>): Record<string, unknown> => ({ metric: 'qualifying_points', window: 'rolling_365', levels: LEVELS, downgrade: 'one_step', grace_days: 30, ...over });

const scenarios: Scenario[] = [
  {
    description: 'pending points do not count; the upgrade comes when they are released; the new tier multiplies earns',
    given: { tiers: tiers({}), pending_days: 7 },
    when: [
      { at: '2026-01-01T10:00:00.000Z', earn: '150', expect: { tier: 'member', points: 150n } },
      { at: '2026-01-08T09:59:59.000Z', job: true, expect: { tier: 'member' } },
      { at: '2026-01-08T10:00:00.000Z', job: true, expect: { tier: 'silver', to_keep: 0n } },
      { at: '2026-01-09T10:00:00.000Z', earn: '100', expect: { tier: 'silver', points: 150n } },
    ],
    expect: { history: ['upgrade ->member', 'upgrade member->silver'] },
  },
  {
    description: 'downgrade by one step after the tier year and 30 days of grace; "points to keep" meanwhile',
    given: { tiers: tiers({}), pending_days: 0 },
    when: [
      { at: '2025-01-01T10:00:00.000Z', earn: '600', expect: { tier: 'gold', points: 600n } },
      { at: '2026-01-05T00:00:00.000Z', job: true, expect: { tier: 'gold', to_keep: 500n } },
      { at: '2026-01-31T09:59:59.000Z', job: true, expect: { tier: 'gold', to_keep: 500n } },
      { at: '2026-01-31T10:00:00.000Z', job: true, expect: { tier: 'silver', to_keep: 100n } },
      { at: '2026-02-01T00:00:00.000Z', job: true, expect: { tier: 'silver' } },
    ],
    expect: { history: ['upgrade ->gold', 'downgrade gold->silver'] },
  },
  {
    description: 'downgrade to the earned level when the setting says so',
    given: { tiers: tiers({ downgrade: 'to_earned', grace_days: 0 }), pending_days: 0 },
    when: [
      { at: '2025-01-01T10:00:00.000Z', earn: '600', expect: { tier: 'gold' } },
      { at: '2026-01-01T10:00:00.000Z', job: true, expect: { tier: 'member' } },
    ],
    expect: { history: ['upgrade ->gold', 'downgrade gold->member'] },
  },
  {
    description: 'a member still above the threshold at the end of the tier year renews it',
    given: { tiers: tiers({}), pending_days: 0 },
    when: [
      { at: '2025-01-01T10:00:00.000Z', earn: '600', expect: { tier: 'gold' } },
      { at: '2025-06-01T10:00:00.000Z', earn: '250', expect: { tier: 'gold', points: 500n } }, // gold doubles
      { at: '2026-01-01T10:00:00.000Z', job: true, expect: { tier: 'gold', to_keep: 0n } },
      { at: '2026-06-01T10:00:00.000Z', job: true, expect: { tier: 'gold', to_keep: 500n } },
    ],
    expect: { history: ['upgrade ->gold', 'renew gold->gold'] },
  },
];

async function step(w: LoyaltyWorld, s: Step, n: number): Promise<void> {
  w.clock.set(s.at);
  if ('earn' in s) {
    const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: order(`o${n}`, s.at, [s.earn]), key: `k${n}` });
    assert.ok(
      r.ok,
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    if (s.expect.points !== undefined) assert.equal(r.value.points, s.expect.points);
  } else {
    assert.ok((await runTierJob(w.store, w.clock, 'p1')) !== undefined);
  }
  const found = await findAccount(w.store, 'p1', { member_id: 'M1' }, '86');
  assert.ok(found.ok);
  assert.equal(found.account.tier, s.expect.tier, `step ${n} tier`);
  if ('job' in s && s.expect.to_keep !== undefined) assert.equal((await tierStatus(w.store, w.config, found.account, w.clock.now()))?.to_keep, s.expect.to_keep, `step ${n} to keep`);
}

for (const sc of scenarios) {
  loyaltyTest(sc.description, programme({ expiry: { model: 'never' }, pending_days: sc.given.pending_days, tiers: sc.given.tiers }), sc.when[0]?.at ?? '2026-01-01T00:00:00.000Z', async (w) => {
    for (const [i, s] of sc.when.entries()) await step(w, s, i + 1);
    const found = await findAccount(w.store, 'p1', { member_id: 'M1' }, '86');
    assert.ok(found.ok);
    assert.deepEqual(
      (await tierHistory(w.store, found.account.account_id)).map((h) => `${h.reason} ${h.from ?? ''}->${h.to ?? ''}`),
      sc.expect.history,
    );
  });
}
