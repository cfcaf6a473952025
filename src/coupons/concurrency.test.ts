/**
 * Concurrency on both engines: two connections in one process, and two separate processes.
 * A budget is never exceeded, a code is redeemed once, a key issues once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { systemClock } from '../core/clock.js';
import { int, type OpStore } from '../ops/index.js';
import { ENGINES, opSandbox, type OpSandbox } from '../testing/ops.js';
import { budgetUse } from './budget.js';
import { issueCoupon } from './issue.js';
import { basketOf, setUp } from './testkit.js';
import { redeem, reserve } from './till.js';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./race-worker.js', import.meta.url));
const BASKET = basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] });

type Till = { key: string; member: string; code: string };
type Issue = { key: string; batch_id: string; member: string };

/** Reserve then redeem, on one of the stores. */
async function tillCall(store: OpStore, c: Till): Promise<string> {
  const r = await reserve(store, systemClock, { key: `r-${c.key}`, member_id: c.member, codes: [c.code], basket: BASKET });
  if (!r.ok) return r.error.type;
  const d = await redeem(store, systemClock, { key: `d-${c.key}`, reservation_id: r.value.reservation_id, order_id: `O-${c.key}` });
  return d.ok ? 'redeemed' : d.error.type;
}

/** Runs the calls split over two connections in this process, or over two worker processes. */
async function race(box: OpSandbox, how: 'connections' | 'processes', calls: { till?: Till[]; issue?: Issue[] }): Promise<string[]> {
  const halves = [0, 1].map((h) => ({ till: (calls.till ?? []).filter((_, i) => i % 2 === h), issue: (calls.issue ?? []).filter((_, i) => i % 2 === h) }));
  if (how === 'processes') {
    const outs = await Promise.all(halves.map((part) => run(process.execPath, [WORKER, JSON.stringify({ where: box.where, ...part })], { maxBuffer: 1 << 24 })));
    return outs.flatMap((o) => {
      const parsed: unknown = JSON.parse(o.stdout);
      assert.ok(Array.isArray(parsed));
      return parsed.map(String);
    });
  }
  const other = await box.reopen();
  const stores = [box.store, other];
  const results = await Promise.all(
    halves.flatMap((part, h) => {
      const s = stores[h] ?? box.store;
      return [
        ...part.till.map((c) => tillCall(s, c)),
        ...part.issue.map(async (c) => {
          const r = await issueCoupon(s, systemClock, { key: c.key, batch_id: c.batch_id, member_id: c.member });
          return r.ok ? `coupon ${r.value.coupon_id}` : r.error.type;
        }),
      ];
    }),
  );
  return results;
}

const tally = (xs: readonly string[]): Record<string, number> =>
  xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x.startsWith('coupon ') ? 'coupon' : x]: (m[x.startsWith('coupon ') ? 'coupon' : x] ?? 0) + 1 }), {});

for (const engine of ENGINES) {
  for (const how of ['connections', 'processes'] as const) {
    const withBox = (name: string, fn: (box: OpSandbox) => Promise<void>) =>
      test(`${engine}, two ${how}: ${name}`, async (t) => {
        const box = await opSandbox(engine);
        if ('skip' in box) return t.skip(box.skip);
        try {
          await fn(box);
        } finally {
          await box.close();
        }
      });

    withBox('200 concurrent redeemers of distinct members against a budget of 100 redeem exactly 100', async (box) => {
      const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
      const s = await setUp(box.store, systemClock, { kind: 'amount_off', amount: '5', budget: { count: 100 } }, members);
      const out = await race(box, how, { till: members.map((m) => ({ key: m, member: m, code: s.codes.get(m) ?? '' })) });
      assert.deepEqual(tally(out), { redeemed: 100, budget_exhausted: 100 });
      const redeemed = await box.store.one("SELECT count(*) AS n FROM coupons WHERE state = 'redeemed'");
      assert.equal(int(redeemed, 'n'), 100);
      const total = (await budgetUse(box.store, s.template_id)).find((b) => b.day === 'total');
      assert.equal(total?.used_count, 100n);
      assert.equal(total?.used_value, 5_0000n * 100n);
    });

    withBox('one code redeemed concurrently 50 times succeeds once', async (box) => {
      const s = await setUp(box.store, systemClock, { kind: 'amount_off', amount: '5' }, ['m1']);
      const code = s.codes.get('m1') ?? '';
      const out = await race(box, how, { till: Array.from({ length: 50 }, (_, i) => ({ key: `try${i}`, member: 'm1', code })) });
      assert.equal(tally(out)['redeemed'], 1);
      assert.equal(out.length, 50);
      assert.ok(
        out.every((o) => ['redeemed', 'coupon_reserved', 'coupon_redeemed'].includes(o)),
        out.join(','),
      );
    });

    withBox('1,000 concurrent issue calls with 100 distinct keys issue exactly 100 coupons', async (box) => {
      const s = await setUp(box.store, systemClock, { kind: 'amount_off', amount: '5' }, [], { generate: 200 });
      const calls = Array.from({ length: 1000 }, (_, i) => ({ key: `issue-${i % 100}`, batch_id: s.batch_id, member: `m${i % 100}` }));
      const out = await race(box, how, { issue: calls });
      assert.deepEqual(tally(out), { coupon: 1000 });
      assert.equal(new Set(out).size, 100);
      assert.equal(int(await box.store.one('SELECT count(*) AS n FROM coupons'), 'n'), 100);
      assert.equal(int(await box.store.one('SELECT count(DISTINCT code) AS n FROM coupons'), 'n'), 100);
    });
  }
}
