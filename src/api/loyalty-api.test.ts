/**
 * Loyalty over HTTP, in-process, on both engines with an API-only server: a till's checkout
 * (look up, spend, pay, earn, a later partial return), idempotent retries and conflicts, scopes,
 * the dry run, history and lots, and the routes in the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { loyaltyTest, order, programme } from '../testing/loyalty.js';
import { buildApp, createKey } from './index.js';

const NOW = '2026-03-01T10:00:00.000Z';

loyaltyTest(
  "a till's checkout over HTTP: look up, spend, earn, a partial return; retries replay, conflicts are refused",
  programme({ pending_days: 7, expiry: { model: 'never' } }),
  NOW,
  async (w) => {
    const app = await buildApp({ ops: w.store, clock: w.clock, rejectsDir: `${w.engine}-rejects` });
    try {
      const pos = { authorization: `Bearer ${(await createKey(w.store, w.clock, 'pos', 'till-1')).key}` };
      const operator = { authorization: `Bearer ${(await createKey(w.store, w.clock, 'operator', 'ann')).key}` };
      const analyst = { authorization: `Bearer ${(await createKey(w.store, w.clock, 'analyst', 'bob')).key}` };
      await w.store.run("INSERT INTO published_identities (kind, scope, value, member_id) VALUES ('phone', '', '+8613800138000', 'M1')");
      const post = (url: string, payload: object, headers = pos) => app.inject({ method: 'POST', url: `/api/loyalty/p1${url}`, headers, payload });

      assert.equal((await app.inject({ url: '/api/loyalty/p1/lookup?phone=13800138000', headers: pos })).statusCode, 404);
      assert.equal((await app.inject({ url: '/api/loyalty/p1/lookup?phone=13800138000', headers: analyst })).statusCode, 403);
      const gift = await post('/adjust', { who: { kind: 'phone', value: '138 0013 8000' }, points: 300, reason: 'welcome', key: 'gift-1' }, operator);
      assert.equal(gift.statusCode, 201, gift.body);
      assert.equal((await post('/adjust', { who: { kind: 'phone', value: '13800138000' }, points: 5, reason: 'x', key: 'gift-2' })).statusCode, 403, 'a till cannot adjust');

      const look = (await app.inject({ url: '/api/loyalty/p1/lookup?phone=%2B86%20138%200013%208000', headers: pos })).json();
      assert.equal(look.balance, 300);
      assert.equal(look.member_id, 'M1');

      const dry = (await post('/dry-run', { who: { member_id: 'M1' }, order: order('A1', NOW, ['129.90', { amount: '12', kind: 'postage' }]) })).json();
      assert.deepEqual([dry.points, dry.after_caps, dry.base], [129, 129, '129.9000']);

      const spent = await post('/spend', { who: { member_id: 'M1' }, points: 100, order_id: 'A1', key: 'A1-spend' });
      assert.equal(spent.statusCode, 201, spent.body);
      assert.equal(spent.json().points, -100);
      const again = await app.inject({
        method: 'POST',
        url: '/api/loyalty/p1/spend',
        headers: { ...pos, 'idempotency-key': 'A1-spend' },
        payload: { who: { member_id: 'M1' }, points: '100', order_id: 'A1' },
      });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().replayed, true);
      const conflict = await post('/spend', { who: { member_id: 'M1' }, points: 150, order_id: 'A1', key: 'A1-spend' });
      assert.equal(conflict.statusCode, 409);
      assert.equal(conflict.json().error, 'idempotency_conflict');
      const tooMuch = await post('/spend', { who: { member_id: 'M1' }, points: 201, key: 'A1-spend-2' });
      assert.deepEqual([tooMuch.statusCode, tooMuch.json().error], [422, 'insufficient_points']);
      assert.equal((await post('/spend', { who: { member_id: 'M1' }, points: 1 })).statusCode, 400, 'a write without a key is refused');

      const earned = await post('/earn', { who: { kind: 'phone', value: '13800138000' }, order: order('A1', NOW, ['129.90', { amount: '12', kind: 'postage' }]), key: 'A1-earn' });
      assert.equal(earned.statusCode, 201, earned.body);
      assert.equal(earned.json().points, 129);
      assert.equal(earned.json().pending_until, '2026-03-08T10:00:00.000Z');

      w.clock.set('2026-03-05T10:00:00.000Z');
      const ret = await post('/reverse', { order_id: 'A1', value: '43.30', return_id: 'R1', key: 'A1-R1' });
      assert.equal(ret.statusCode, 201, ret.body);
      assert.deepEqual([ret.json().points, ret.json().reversed_total], [-43, 43]); // floor(129 x 43.30 / 129.90)
      const after = (await app.inject({ url: '/api/loyalty/p1/lookup?member_id=M1', headers: pos })).json();
      assert.deepEqual([after.balance, after.pending], [200, 86]);

      const history = (await app.inject({ url: `/api/loyalty/p1/accounts/${after.account_id}/history`, headers: pos })).json();
      assert.deepEqual(
        history.entries.map((e: { kind: string; points: number }) => `${e.kind} ${e.points}`),
        ['reverse -43', 'earn 129', 'spend -100', 'adjust 300'],
      );
      const lots = (await app.inject({ url: `/api/loyalty/p1/accounts/${after.account_id}/lots`, headers: pos })).json();
      assert.deepEqual(
        lots.lots.map((l: { remaining: number }) => l.remaining),
        [200, 86],
      );

      const doc = (await app.inject({ url: '/api/openapi.json' })).json();
      for (const path of ['/api/loyalty/{programme}/earn', '/api/loyalty/{programme}/spend', '/api/loyalty/{programme}/reverse', '/api/loyalty/{programme}/lookup'])
        assert.ok(doc.paths[path] !== undefined, path);
    } finally {
      await app.close();
    }
  },
);
