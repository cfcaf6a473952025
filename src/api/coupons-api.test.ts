/**
 * The checkout walk over HTTP on both engines, on a server without the analytical store (role
 * api): operator sets up a template and batch, the till validates, reserves, redeems, sees a
 * refusal, and a whole return puts the coupon back. In-process (app.inject).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { movableClock } from '../coupons/testkit.js';
import { buildApp, createKey } from './index.js';
import { balanceOf, earnOrder, findAccount, saveProgramme } from '../loyalty/index.js';
import { order, programme } from '../testing/loyalty.js';

const auth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
const BASKET = { lines: [{ sku: 'SHIRT', quantity: 2, unit_price: '99.90', category: 'apparel' }], shipping: '10.00', channel: 'store', store: 'SH01' };

for (const engine of ENGINES) {
  test(`${engine}: the checkout walk: validate, reserve, redeem, refusals with their status, whole return`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const clock = movableClock('2026-06-15T10:00:00Z');
    const app = await buildApp({ ops: box.store, clock });
    try {
      const op = (await createKey(box.store, clock, 'operator', 'ops')).key;
      const pos = (await createKey(box.store, clock, 'pos', 'till 1')).key;
      const analyst = (await createKey(box.store, clock, 'analyst', 'bi')).key;
      const tpl = await app.inject({
        method: 'POST',
        url: '/api/coupons/templates',
        headers: auth(op),
        payload: { name: '满150减20', kind: 'threshold', spend: '150', off: '20', channels: ['store'], budget: { count: 1 } },
      });
      assert.equal(tpl.statusCode, 201, tpl.body);
      const bad = await app.inject({ method: 'POST', url: '/api/coupons/templates', headers: auth(op), payload: { name: 'x', kind: 'percent_off', percent: 15 } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().detail.errors[0].path, '$.percent');
      const batch = await app.inject({
        method: 'POST',
        url: '/api/coupons/batches',
        headers: auth(op),
        payload: { template_id: tpl.json().template_id, generate: 10, prefix: 'T-', pattern: '######' },
      });
      assert.equal(batch.statusCode, 201, batch.body);
      const batchId = batch.json().batch_id;
      const issue = (member: string, key: string) =>
        app.inject({ method: 'POST', url: '/api/coupons/issue', headers: { ...auth(pos), 'idempotency-key': key }, payload: { batch_id: batchId, member_id: member } });
      const c1 = await issue('m1', 'i-1');
      assert.equal(c1.statusCode, 201, c1.body);
      assert.deepEqual((await issue('m1', 'i-1')).json(), c1.json(), 'a retry returns the first coupon');
      const code = c1.json().code;
      await issue('m2', 'i-2');

      assert.equal((await app.inject({ method: 'POST', url: '/api/coupons/validate', headers: auth(analyst), payload: { member_id: 'm1', codes: [code], basket: BASKET } })).statusCode, 403);
      const v = await app.inject({ method: 'POST', url: '/api/coupons/validate', headers: auth(pos), payload: { member_id: 'm1', codes: [code], basket: BASKET } });
      assert.equal(v.statusCode, 200, v.body);
      assert.deepEqual(v.json(), { coupons: [{ code, applicable: true, kind: 'threshold', discount: '20.0000' }], total_discount: '20.0000', basket_value: '199.8000', to_pay: '189.8000' });
      const online = await app.inject({ method: 'POST', url: '/api/coupons/validate', headers: auth(pos), payload: { member_id: 'm1', codes: [code], basket: { ...BASKET, channel: 'tmall' } } });
      assert.equal(online.json().coupons[0].reason.type, 'wrong_channel');

      const r = await app.inject({ method: 'POST', url: '/api/coupons/reservations', headers: auth(pos), payload: { key: 'res-1', member_id: 'm1', codes: [code], basket: BASKET } });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().expires_at, '2026-06-15T10:15:00.000Z');
      const rid = r.json().reservation_id;
      // The budget of one is taken: m2's coupon is refused with 422 and the reason.
      const m2code = (await app.inject({ url: '/api/coupons/members/m2', headers: auth(pos) })).json().coupons[0].code;
      const over = await app.inject({ method: 'POST', url: '/api/coupons/reservations', headers: auth(pos), payload: { key: 'res-2', member_id: 'm2', codes: [m2code], basket: BASKET } });
      assert.equal(over.statusCode, 422);
      assert.deepEqual([over.json().error, over.json().detail.limit], ['budget_exhausted', 'count']);
      const d = await app.inject({ method: 'POST', url: `/api/coupons/reservations/${rid}/redeem`, headers: auth(pos), payload: { key: 'pay-1', order_id: 'SH01-0001' } });
      assert.equal(d.statusCode, 200, d.body);
      assert.equal(d.json().total_discount, '20.0000');
      const twice = await app.inject({ method: 'POST', url: `/api/coupons/reservations/${rid}/redeem`, headers: auth(pos), payload: { key: 'pay-2', order_id: 'SH01-0001' } });
      assert.deepEqual([twice.statusCode, twice.json().error], [409, 'coupon_redeemed']);
      const reuse = await app.inject({ method: 'POST', url: '/api/coupons/reservations', headers: auth(pos), payload: { key: 'pay-1', member_id: 'm1', codes: [code], basket: BASKET } });
      assert.deepEqual([reuse.statusCode, reuse.json().error], [409, 'idempotency_conflict']);
      const ret = await app.inject({ method: 'POST', url: '/api/coupons/returns', headers: auth(pos), payload: { key: 'ret-1', order_id: 'SH01-0001', whole: true } });
      assert.deepEqual(ret.json(), { order_id: 'SH01-0001', whole: true, coupons: [{ code, state: 'issued' }] });
      const mine = await app.inject({ url: '/api/coupons/members/m1', headers: auth(pos) });
      assert.equal(mine.json().coupons[0].state, 'issued');
      const report = await app.inject({ url: '/api/coupons/batches', headers: auth(op) });
      assert.deepEqual([report.json().batches[0].issued, report.json().batches[0].redeemed], [2, 0]);
      const spec = (await app.inject({ url: '/api/openapi.json' })).json();
      for (const p of [
        '/api/coupons/validate',
        '/api/coupons/reservations',
        '/api/coupons/reservations/{id}/redeem',
        '/api/coupons/reservations/{id}/release',
        '/api/coupons/returns',
        '/api/coupons/members/{member_id}',
        '/api/coupons/templates',
        '/api/coupons/batches',
        '/api/coupons/jobs/{id}',
      ]) {
        assert.ok(spec.paths[p] !== undefined, `${p} in OpenAPI`);
      }
    } finally {
      await app.close();
      await box.close();
    }
  });
}

for (const engine of ENGINES) {
  test(`${engine}: points for a coupon over HTTP: exchange, a retry replays, a short balance is 422 with nothing spent, cancel gives the points back once`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const clock = movableClock('2026-06-15T10:00:00Z');
    const app = await buildApp({ ops: box.store, clock });
    try {
      await saveProgramme(box.store, programme({ pending_days: 0, expiry: { model: 'never' } }), clock.now());
      const earned = await earnOrder(box.store, clock, 'p1', { who: { member_id: 'm1' }, order: order('O1', '2026-06-15T09:00:00Z', ['500']), key: 'e1' });
      assert.ok(earned.ok);
      const op = (await createKey(box.store, clock, 'operator', 'ops')).key;
      const pos = (await createKey(box.store, clock, 'pos', 'till 1')).key;
      const tpl = await app.inject({
        method: 'POST',
        url: '/api/coupons/templates',
        headers: auth(op),
        payload: { name: '积分换券', kind: 'amount_off', amount: '10', points_price: { programme: 'p1', points: 300 } },
      });
      assert.equal(tpl.statusCode, 201, tpl.body);
      const batch = await app.inject({ method: 'POST', url: '/api/coupons/batches', headers: auth(op), payload: { template_id: tpl.json().template_id, generate: 10 } });
      const exchange = (key: string) =>
        app.inject({ method: 'POST', url: '/api/coupons/exchanges', headers: { ...auth(pos), 'idempotency-key': key }, payload: { batch_id: batch.json().batch_id, member_id: 'm1' } });
      const x = await exchange('x-1');
      assert.equal(x.statusCode, 201, x.body);
      assert.equal(x.json().points, '300');
      assert.deepEqual((await exchange('x-1')).json(), x.json());
      const short = await exchange('x-2');
      assert.equal(short.statusCode, 422);
      assert.deepEqual([short.json().error, short.json().detail.available, short.json().detail.requested], ['insufficient_points', '200', '300']);
      const cancel = (key: string) => app.inject({ method: 'POST', url: `/api/coupons/exchanges/${x.json().coupon.coupon_id}/cancel`, headers: { ...auth(pos), 'idempotency-key': key }, payload: {} });
      const c = await cancel('c-1');
      assert.equal(c.statusCode, 200, c.body);
      assert.deepEqual([c.json().state, c.json().points], ['void', '300']);
      const again = await cancel('c-2');
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error, 'coupon_void');
      const account = await findAccount(box.store, 'p1', { member_id: 'm1' }, '86');
      assert.ok(account.ok);
      assert.equal((await balanceOf(box.store, account.account, clock.now())).available, 500n, 'the points came back once');
    } finally {
      await app.close();
      await box.close();
    }
  });
}
