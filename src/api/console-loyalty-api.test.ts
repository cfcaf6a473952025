/**
 * The console's reads of loyalty and coupons on a listening server, on both engines: a
 * programme's summary, a member's account (and one not enrolled), coupon templates with their
 * figures and budget left; operators only (a till's pos key and an analyst are refused).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { earnOrder, runExpiry, runTierJob, spend, toJson } from '../loyalty/index.js';
import { loyaltyTest, order, programme } from '../testing/loyalty.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { movableClock } from '../coupons/testkit.js';
import type { OpStore } from '../ops/index.js';
import type { Clock } from '../core/clock.js';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CouponTemplatesSummarySchema, LoyaltySummarySchema, MemberLoyaltySchema } from '../contracts/index.js';
import { buildApp, createKey } from './index.js';

FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));
const fits = (schema: Parameters<typeof Value.Check>[0], v: unknown): void => assert.ok(Value.Check(schema, v), JSON.stringify([...Value.Errors(schema, v)].slice(0, 3)));

/** A listening server and a GET with a key of the scope: status and JSON body. */
async function listening(
  store: OpStore,
  clock: Clock,
): Promise<{ app: FastifyInstance; get(path: string, scope: 'operator' | 'admin' | 'pos' | 'analyst'): Promise<{ status: number; body: Awaited<ReturnType<Response['json']>> }> }> {
  const app = await buildApp({ ops: store, clock });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const keys = new Map<string, string>();
  for (const scope of ['operator', 'admin', 'pos', 'analyst'] as const) keys.set(scope, (await createKey(store, clock, scope, scope)).key);
  return {
    app,
    get: async (path, scope) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${keys.get(scope) ?? ''}` } });
      return { status: res.status, body: await res.json() };
    },
  };
}

const LEVELS = [
  { code: 'member', name: '会员 Member', threshold: 0 },
  { code: 'silver', name: '银卡 Silver', threshold: 100 },
  { code: 'gold', name: '金卡 Gold', threshold: 500 },
];

loyaltyTest(
  "the console's loyalty reads: a programme's summary and a member's account, operators only",
  programme({ pending_days: 0, expiry: { model: 'days', days: 60 }, tiers: { metric: 'qualifying_points', window: 'rolling_365', levels: LEVELS, downgrade: 'one_step', grace_days: 30 } }),
  '2025-12-01T10:00:00.000Z',
  async (w) => {
    const earn = async (member: string, id: string, at: string, amount: string) => {
      w.clock.set(at);
      const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: member }, order: order(id, at, [amount]), key: `earn-${id}` });
      assert.ok(r.ok, JSON.stringify(toJson(r)));
    };
    await earn('M2', 'B1', '2025-12-01T10:00:00.000Z', '30');
    await earn('M1', 'A1', '2026-01-10T10:00:00.000Z', '150');
    await earn('M1', 'A2', '2026-02-20T10:00:00.000Z', '400');
    w.clock.set('2026-02-25T10:00:00.000Z');
    assert.ok((await spend(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, points: 50n, key: 'spend-1' })).ok);
    w.clock.set('2026-03-01T10:00:00.000Z');
    await runExpiry(w.store, w.clock, 'p1'); // M2's 30 points (earned 2025-12-01) expired on 2026-01-30
    await runTierJob(w.store, w.clock, 'p1');
    const { app, get } = await listening(w.store, w.clock);
    try {
      const list = await get('/api/loyalty/programmes', 'operator');
      assert.deepEqual(list.body, { programmes: [{ programme_id: 'p1', name: 'Test programme' }] });

      const s = await get('/api/loyalty/p1/summary', 'operator');
      assert.equal(s.status, 200, JSON.stringify(s.body));
      fits(LoyaltySummarySchema, s.body);
      assert.deepEqual(s.body.period, { from: '2026-01-31', to: '2026-03-01' }, 'the 30 days to today by default');
      assert.equal(s.body.members, 2);
      assert.deepEqual(
        s.body.tiers.map((t: { tier: string; members: number }) => [t.tier, t.members]),
        [
          ['member', 1],
          ['silver', 0],
          ['gold', 1],
        ],
      );
      // M1 holds 100 of the January lot (the spend took the oldest first) and 400 of February's.
      assert.equal(s.body.outstanding, 500);
      assert.equal(s.body.expiring, 100, 'the January lot expires on 2026-03-11, within 30 days');
      assert.deepEqual(s.body.expiry_schedule, [
        { month: '2026-03', points: 100 },
        { month: '2026-04', points: 400 },
      ]);
      assert.deepEqual([s.body.earned, s.body.spent, s.body.expired, s.body.reversed], [400, 50, 30, 0]);
      assert.deepEqual(
        s.body.months.map((m: { month: string; earned: number }) => [m.month, m.earned]),
        [
          ['2025-12', 30],
          ['2026-01', 150],
          ['2026-02', 400],
          ['2026-03', 0],
        ],
      );
      const jan = await get('/api/loyalty/p1/summary?from=2026-01-01&to=2026-01-31', 'admin');
      assert.deepEqual([jan.body.earned, jan.body.spent, jan.body.expired], [150, 0, 0]);
      assert.equal((await get('/api/loyalty/p1/summary?from=2026-02-01&to=2026-01-01', 'operator')).status, 400);

      const m1 = await get('/api/loyalty/p1/members/M1', 'operator');
      assert.equal(m1.status, 200, JSON.stringify(m1.body));
      fits(MemberLoyaltySchema, m1.body);
      const a = m1.body.account;
      assert.deepEqual([a.balance, a.tier, a.tier_name, a.qualifying, a.to_keep, a.next_tier], [500, 'gold', '金卡 Gold', 550, 0, null]);
      assert.deepEqual(a.expiring, [
        { expires_at: '2026-03-11T10:00:00.000Z', points: 100 },
        { expires_at: '2026-04-21T10:00:00.000Z', points: 400 },
      ]);
      assert.deepEqual(
        a.entries.map((e: { kind: string; points: number }) => [e.kind, e.points]),
        [
          ['spend', -50],
          ['earn', 400],
          ['earn', 150],
        ],
        'the latest entries, newest first',
      );
      assert.deepEqual((await get('/api/loyalty/p1/members/M3', 'operator')).body, { programme_id: 'p1', member_id: 'M3', account: null }, 'not enrolled');
      assert.equal((await get('/api/loyalty/nope/members/M1', 'operator')).status, 404);
      for (const path of ['/api/loyalty/p1/summary', '/api/loyalty/p1/members/M1', '/api/loyalty/programmes']) {
        assert.equal((await get(path, 'pos')).status, 403, `${path}: not for a till`);
        assert.equal((await get(path, 'analyst')).status, 403, `${path}: not for an analyst`);
      }
    } finally {
      await app.close();
    }
  },
);

for (const engine of ENGINES) {
  test(`${engine}: the console's coupon reads: templates with issued, reserved, redeemed and the budget left`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const clock = movableClock('2026-06-15T10:00:00Z');
    const { app, get } = await listening(box.store, clock);
    try {
      const op = { authorization: `Bearer ${(await createKey(box.store, clock, 'operator', 'ops')).key}`, 'content-type': 'application/json' };
      const post = async (path: string, body: object, key?: string) => {
        const r = await app.inject({ method: 'POST', url: path, headers: { ...op, ...(key === undefined ? {} : { 'idempotency-key': key }) }, payload: body });
        assert.ok(r.statusCode < 300, r.body);
        return r.json();
      };
      const tpl = await post('/api/coupons/templates', { name: '满150减20', kind: 'threshold', spend: '150', off: '20', budget: { count: 10, value: '100' } });
      await post('/api/coupons/templates', { name: 'No budget', kind: 'amount_off', amount: '5' });
      const batch = await post('/api/coupons/batches', { template_id: tpl.template_id, generate: 10, prefix: 'T-', pattern: '######' });
      const c1 = await post('/api/coupons/issue', { batch_id: batch.batch_id, member_id: 'm1' }, 'i-1');
      await post('/api/coupons/issue', { batch_id: batch.batch_id, member_id: 'm2' }, 'i-2');
      const c3 = await post('/api/coupons/issue', { batch_id: batch.batch_id, member_id: 'm3' }, 'i-3');
      const basket = { lines: [{ sku: 'SHIRT', quantity: 2, unit_price: '99.90' }] };
      const r1 = await post('/api/coupons/reservations', { key: 'r-1', member_id: 'm1', codes: [c1.code], basket });
      await post(`/api/coupons/reservations/${r1.reservation_id}/redeem`, { key: 'p-1', order_id: 'O1' });
      await post('/api/coupons/reservations', { key: 'r-3', member_id: 'm3', codes: [c3.code], basket });

      const s = await get('/api/coupons/templates/summary', 'operator');
      assert.equal(s.status, 200, JSON.stringify(s.body));
      fits(CouponTemplatesSummarySchema, s.body);
      const mine = s.body.templates.find((x: { template_id: string }) => x.template_id === tpl.template_id);
      assert.deepEqual([mine.batches, mine.issued, mine.available, mine.reserved, mine.redeemed, mine.redeemed_value, mine.redemption_rate], [1, 3, 1, 1, 1, '20.0000', 1 / 3]);
      assert.deepEqual([mine.budget_count, mine.budget_count_left, mine.budget_value, mine.budget_value_left], [10, 8, '100.0000', '60.0000'], 'the reserved coupon holds budget too');
      const none = s.body.templates.find((x: { name: string }) => x.name === 'No budget');
      assert.deepEqual([none.issued, none.redemption_rate, none.budget_count_left, none.budget_value_left], [0, null, null, null]);
      const coupons = await get('/api/coupons/members/m1', 'operator');
      assert.deepEqual(
        coupons.body.coupons.map((c: { code: string; state: string }) => [c.code, c.state]),
        [[c1.code, 'redeemed']],
        "a member's coupons for an operator key",
      );
      assert.equal((await get('/api/coupons/templates/summary', 'pos')).status, 403);
      assert.equal((await get('/api/coupons/templates/summary', 'analyst')).status, 403);
    } finally {
      await app.close();
      await box.close();
    }
  });
}
