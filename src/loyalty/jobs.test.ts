/**
 * The jobs a server runs by itself: after a load, sync (a till's account joined to its member)
 * and arrivals (imported orders earn), each recorded as a hand-off and skipped when nothing is
 * new; expiry and tiers once per day of the shop's time zone, on a clock the test moves; and the
 * same through the server's worker loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp, createKey } from '../api/index.js';
import type { LoyaltyRun } from '../api/workers.js';
import { saveSetting } from '../core/settings/operational.js';
import { publishIdentities } from '../inbox/index.js';
import { listHandoffs } from '../ops/index.js';
import { sandbox } from '../testing/index.js';
import { movableClock, order, programme } from '../testing/loyalty.js';
import { afterLoad, balanceOf, checkLedger, dailyJobs, earnOrder, findAccount, JOB_NAMES, PUBLISH_NAME, saveProgramme } from './index.js';

const ORDERS = 'channel,order_id,buyer_id,buyer_phone,created_at,paid_at,status,item_total,discount,shipping,paid_amount';
const config = programme({
  programme_id: 'main',
  starts_on: '2025-01-01',
  pending_days: 0,
  expiry: { model: 'days', days: 1 },
  tiers: {
    metric: 'qualifying_points',
    window: 'rolling_365',
    downgrade: 'one_step',
    grace_days: 0,
    levels: [
      { code: 'member', name: 'Member', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 100 },
    ],
  },
});

test('after a load: a till account is joined to its member and imported orders earn, once; both recorded as hand-offs', async () => {
  const s = await sandbox();
  const clock = movableClock('2025-03-02T12:00:00.000Z');
  try {
    await saveProgramme(s.ops, config, clock.now());
    // A first-time buyer at a till: an account keyed by the phone presented, no member yet.
    const till = await earnOrder(s.ops, clock, 'main', { who: { kind: 'phone', value: '13800138000' }, order: order('pos:T1', '2025-03-02T11:00:00.000Z', ['20']), key: 't1' });
    assert.ok(till.ok);
    assert.deepEqual(await afterLoad(s.db, s.ops, clock), [], 'nothing loaded yet: nothing to do');

    await s.import(s.write('orders.csv', [ORDERS, 'shop,A1,c1,13800138000,2025-03-02 09:00:00,2025-03-02 09:01:00,completed,300.00,0.00,0.00,300.00'].join('\n')), {
      preset: 'regulars',
      entity: 'orders',
    });
    await publishIdentities(s.db, s.ops, clock);
    const first = await afterLoad(s.db, s.ops, clock);
    assert.equal(first.length, 1);
    assert.deepEqual(first[0]?.sync, { joined: 1, merged: 0 });
    assert.equal(first[0]?.arrivals?.earned, 1);
    const member = String((await s.db.one("SELECT member_id FROM identities WHERE kind = 'phone'"))?.['member_id']);
    const account = await findAccount(s.ops, 'main', { member_id: member }, '86');
    assert.ok(account.ok);
    assert.equal((await balanceOf(s.ops, account.account, clock.now())).balance, 320n, 'the till points and the imported order on one account');
    assert.deepEqual(await afterLoad(s.db, s.ops, clock), [], 'a second run finds nothing new');

    const names = (await listHandoffs(s.ops)).map((h) => h.name);
    assert.ok(names.includes(JOB_NAMES.sync('main')) && names.includes(JOB_NAMES.arrivals('main')), names.join(', '));
    assert.deepEqual((await checkLedger(s.ops, 'main')).problems, []);
  } finally {
    s.close();
  }
});

test('expiry and tiers run once per day of the shop time zone: a run just before local midnight and one at it are two days', async () => {
  const s = await sandbox();
  // 15:30 UTC is 23:30 in Shanghai.
  const clock = movableClock('2025-03-01T15:30:00.000Z');
  try {
    await saveSetting(s.ops, clock, 'shop.timezone', 'Asia/Shanghai', 'test');
    await saveProgramme(s.ops, config, clock.now());
    const r = await earnOrder(s.ops, clock, 'main', { who: { member_id: 'M1' }, order: order('o1', '2025-02-28T15:45:00.000Z', ['150']), key: 'o1' });
    assert.ok(r.ok);
    const first = await dailyJobs(s.ops, clock);
    assert.equal(first[0]?.day, '2025-03-01');
    assert.deepEqual(first[0]?.expiry, { lots: 0, points: 0, accounts: 0 }, 'the lot expires at 15:45 UTC');
    assert.equal((first[0]?.tiers as { accounts: number } | null)?.accounts, 1);

    clock.set('2025-03-01T15:59:59.000Z'); // 23:59:59 local: the same day, nothing runs
    assert.deepEqual(await dailyJobs(s.ops, clock), []);
    clock.set('2025-03-01T16:00:00.000Z'); // 00:00 local on 2 March
    const second = await dailyJobs(s.ops, clock);
    assert.equal(second[0]?.day, '2025-03-02');
    assert.deepEqual(second[0]?.expiry, { lots: 1, points: 150, accounts: 1 });
    const expiry = (await listHandoffs(s.ops)).find((h) => h.name === JOB_NAMES.expiry('main'));
    assert.equal((expiry?.detail as { day: string } | undefined)?.day, '2025-03-02');
    assert.deepEqual((await checkLedger(s.ops, 'main')).problems, []);
  } finally {
    s.close();
  }
});

test("the server's worker loop earns an order sent to the inbox and runs the daily jobs, by itself", async () => {
  const s = await sandbox();
  const clock = movableClock('2025-03-02T12:00:00.000Z');
  const runs: LoyaltyRun[] = [];
  let seen: () => void = () => undefined;
  const app = await buildApp({
    ops: s.ops,
    db: s.db,
    clock,
    rejectsDir: `${s.dir}/rejects`,
    workers: {
      schedulerSeconds: 0,
      loaderSeconds: 0.05,
      onLoyalty: (r) => {
        if (r instanceof Error) throw r;
        runs.push(r);
        if (r.afterLoad.some((a) => (a.arrivals?.earned ?? 0) > 0)) seen();
      },
    },
  });
  try {
    await saveProgramme(s.ops, config, clock.now());
    const { key } = await createKey(s.ops, clock, 'pos', 'shop');
    const earned = new Promise<void>((resolve) => (seen = resolve));
    const sent = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders',
      headers: { authorization: `Bearer ${key}` },
      payload: {
        channel: 'web',
        order_id: 'W1',
        buyer_phone: '13900139000',
        created_at: '2025-03-02 10:00:00',
        paid_at: '2025-03-02 10:01:00',
        status: 'paid',
        item_total: '88.00',
        paid_amount: '88.00',
      },
    });
    assert.equal(sent.statusCode, 200);
    await earned;
    assert.ok(
      runs.some((r) => r.daily.some((d) => d.programme === 'main' && d.day === '2025-03-02')),
      'the daily jobs ran',
    );
    const lookup = await app.inject({ url: '/api/loyalty/main/lookup?phone=13900139000', headers: { authorization: `Bearer ${key}` } });
    assert.equal(lookup.json().balance, 88);
    // Then handed to the analytical store, where segments read it.
    assert.ok(runs.some((r) => r.published !== null && r.published['main'] === 1));
    const published = await s.db.one("SELECT balance, lifetime_earned FROM member_loyalty WHERE programme_id = 'main'");
    assert.deepEqual([String(published?.['balance']), String(published?.['lifetime_earned'])], ['88', '88']);
    // Once a day the coupons are handed over too (none exist here: an empty publication).
    assert.ok(runs.some((r) => r.coupons_published === 0));
    // Once a day the coupons are handed over too (none exist here: an empty publication).
    assert.ok(runs.some((r) => r.coupons_published === 0));
    const names = (await listHandoffs(s.ops)).map((h) => h.name);
    for (const n of [JOB_NAMES.sync('main'), JOB_NAMES.arrivals('main'), JOB_NAMES.expiry('main'), JOB_NAMES.tiers('main'), PUBLISH_NAME]) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  } finally {
    await app.close();
    s.close();
  }
});
