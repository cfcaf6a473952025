/**
 * Tier allowances on an injected clock, on both engines: gold members get two coupons a month,
 * other tiers none; a rerun in the same month grants nothing; the next month grants again; the
 * template's per-member limit caps what is held; every run is audited.
 */
import assert from 'node:assert/strict';
import { earnOrder, runTierJob } from '../loyalty/index.js';
import { int, listHandoffs } from '../ops/index.js';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { allowanceJobName, dailyAllowances, grantAllowances } from './allowance.js';
import { createBatch } from './catalog.js';
import { setUp } from './testkit.js';

const config = programme({
  pending_days: 0,
  expiry: { model: 'never' },
  tiers: {
    metric: 'qualifying_points',
    window: 'rolling_365',
    levels: [
      { code: 'member', name: '会员', threshold: 0 },
      { code: 'silver', name: '银卡', threshold: 100 },
      { code: 'gold', name: '金卡', threshold: 500 },
    ],
    downgrade: 'one_step',
    grace_days: 30,
  },
});

/** M1 gold, M2 silver, M3 member. */
async function tiers(w: LoyaltyWorld): Promise<void> {
  for (const [m, amount] of [
    ['M1', '600'],
    ['M2', '150'],
    ['M3', '10'],
  ] as const) {
    const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: m }, order: order(`O-${m}`, '2026-03-01T10:00:00Z', [amount]), key: `earn-${m}` });
    assert.ok(r.ok);
  }
  await runTierJob(w.store, w.clock, 'p1');
}

const held = async (w: LoyaltyWorld, member: string): Promise<number> => int(await w.store.one('SELECT count(*) AS n FROM coupons WHERE member_id = ?', [member]), 'n');

interface Scenario {
  description: string;
  template: Record<string, unknown>;
  /** Runs: at, then [members granted, coupons, skipped]. */
  runs: Array<[string, [number, number, number]]>;
  expect: { M1: number; M2: number; M3: number };
}

const FREE_DELIVERY = { kind: 'free_shipping', allowance: { programme: 'p1', tiers: ['gold'], count: 2, period: 'month' } };

const scenarios: Scenario[] = [
  {
    description: 'gold: 2 free-delivery coupons a month; a rerun in the month grants nothing; April grants again',
    template: FREE_DELIVERY,
    runs: [
      ['2026-03-05T08:00:00Z', [1, 2, 0]],
      ['2026-03-31T23:59:59Z', [0, 0, 1]],
      ['2026-04-01T00:00:00Z', [1, 2, 0]],
    ],
    expect: { M1: 4, M2: 0, M3: 0 },
  },
  {
    description: 'a per-member limit of 3 caps the second month at one coupon, the third at none',
    template: { ...FREE_DELIVERY, per_member_limit: 3 },
    runs: [
      ['2026-03-05T08:00:00Z', [1, 2, 0]],
      ['2026-04-05T08:00:00Z', [1, 1, 0]],
      ['2026-05-05T08:00:00Z', [0, 0, 1]],
    ],
    expect: { M1: 3, M2: 0, M3: 0 },
  },
];

for (const s of scenarios) {
  loyaltyTest(`tier allowance: ${s.description}`, config, '2026-03-01T10:00:00.000Z', async (w) => {
    await tiers(w);
    const set = await setUp(w.store, w.clock, s.template, [], { generate: 50 });
    for (const [at, expected] of s.runs) {
      w.clock.set(at);
      const r = await grantAllowances(w.store, w.clock, { batch_id: set.batch_id });
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual([r.value.granted_members, r.value.coupons, r.value.skipped], expected, at);
    }
    assert.deepEqual({ M1: await held(w, 'M1'), M2: await held(w, 'M2'), M3: await held(w, 'M3') }, s.expect);
    const audited = await w.store.all("SELECT detail FROM audit_log WHERE action = 'coupons.allowance' ORDER BY at");
    assert.equal(audited.length, s.runs.length, 'each run is audited');
    const grants = await w.store.all('SELECT period FROM coupon_allowance_grants ORDER BY period');
    assert.deepEqual(
      grants.map((g) => g['period']),
      [...new Set(s.runs.map(([at]) => at.slice(0, 7)))],
      'one grant row per member and month',
    );
  });
}

loyaltyTest('tier allowance: a template without an allowance is refused', config, '2026-03-01T10:00:00.000Z', async (w) => {
  const set = await setUp(w.store, w.clock, { kind: 'free_shipping' }, []);
  const r = await grantAllowances(w.store, w.clock, { batch_id: set.batch_id });
  assert.deepEqual(r.ok ? null : r.error.type, 'no_allowance');
});

loyaltyTest(
  'the daily allowance job: once per shop day, through the newest batch that can still issue; a template without one is recorded as stopped',
  config,
  '2026-03-01T10:00:00.000Z',
  async (w) => {
    await tiers(w);
    // Two batches of the free-delivery template: the older has codes, the newer only 1 (used up below).
    const set = await setUp(w.store, w.clock, FREE_DELIVERY, [], { generate: 50 });
    w.clock.set('2026-03-01T11:00:00.000Z');
    const small = await createBatch(w.store, w.clock, { template_id: set.template_id, codes: { generate: 1 } });
    assert.ok(small.ok);
    const orphan = await setUp(w.store, w.clock, { kind: 'free_shipping', allowance: { programme: 'p1', tiers: ['silver'], count: 1, period: 'month' } }, [], { generate: 1 });
    await w.store.run('DELETE FROM coupon_codes WHERE batch_id = ?', [orphan.batch_id]);
    await w.store.run('UPDATE coupon_batches SET pool_size = 0 WHERE batch_id = ?', [orphan.batch_id]);
    await w.store.run('UPDATE coupon_batches SET next_seq = pool_size WHERE batch_id = ?', [small.ok ? small.value.batch_id : '']);

    w.clock.set('2026-03-05T08:00:00.000Z');
    const first = await dailyAllowances(w.store, w.clock);
    const mine = first.find((d) => d.template_id === set.template_id);
    assert.equal(mine?.run?.batch_id, set.batch_id, 'the newest batch is used up: the older one issues');
    assert.deepEqual([mine?.run?.granted_members, mine?.run?.coupons], [1, 2]);
    const stopped = first.find((d) => d.template_id === orphan.template_id);
    assert.match(stopped?.stopped ?? '', /no batch/);
    assert.equal(await held(w, 'M1'), 2);

    assert.deepEqual(await dailyAllowances(w.store, w.clock), [], 'the same day runs nothing');
    w.clock.set('2026-03-06T08:00:00.000Z');
    const next = await dailyAllowances(w.store, w.clock);
    assert.deepEqual(
      next.filter((d) => d.template_id === set.template_id).map((d) => [d.day, d.run?.coupons]),
      [['2026-03-06', 0]],
      'the next day runs again and grants nothing twice in the month',
    );
    assert.equal(await held(w, 'M1'), 2);
    const h = (await listHandoffs(w.store)).find((x) => x.name === allowanceJobName(orphan.template_id));
    assert.equal(h?.status, 'stopped');
  },
);
