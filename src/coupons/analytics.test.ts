/**
 * The coupon hand-off to the analytical store and what reads it, on both operational engines:
 * published coupons give issued, redeemed, rate and discount by template, by lifecycle stage and
 * inside or outside a segment; the segment node `coupon` (unused, expiring, redeemed within N
 * days) is compiled with bound parameters and selects the right members.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMembers } from '../campaigns/testkit.js';
import { compileSegment, countSegment, createSegment, parseRule, validateRule } from '../segments/index.js';
import { sandbox } from '../testing/index.js';
import { buildApp, createKey } from '../api/index.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { couponAnalytics } from './analytics.js';
import { issueCoupon } from './issue.js';
import { dailyCouponPublish, publishCoupons } from './publish.js';
import { basketOf, movableClock, setUp } from './testkit.js';
import { redeem, reserve } from './till.js';

const BASKET = basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] });

for (const engine of ENGINES) {
  test(`${engine}: published coupons: redemption by template, lifecycle stage and segment; the coupon segment node`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const s = await sandbox();
    try {
      const clock = movableClock('2026-06-01T10:00:00Z');
      await loadMembers(s, 10);
      const members = (await s.db.all('SELECT member_id FROM members ORDER BY member_id')).map((r) => String(r['member_id']));
      assert.equal(members.length, 10);
      // Six members hold a 20-off coupon valid 30 days; three redeem it on 10 June. Two hold a 5-off coupon.
      const a = await setUp(box.store, clock, { name: '20 off', kind: 'amount_off', amount: '20', validity: { days_after_issue: 30 } }, members.slice(0, 6));
      const b = await setUp(box.store, clock, { name: '5 off', kind: 'amount_off', amount: '5.5' }, members.slice(6, 8));
      clock.advance(9 * 86_400);
      for (const m of members.slice(0, 3)) {
        const r = await reserve(box.store, clock, { key: `r-${m}`, member_id: m, codes: [a.codes.get(m) ?? ''], basket: BASKET });
        assert.ok(r.ok);
        assert.ok((await redeem(box.store, clock, { key: `d-${m}`, reservation_id: r.value.reservation_id, order_id: `O-${m}` })).ok);
      }
      const extra = await issueCoupon(box.store, clock, { key: 'late', batch_id: b.batch_id, member_id: members[9] ?? '' });
      assert.ok(extra.ok);
      // Stages as the analytics refresh would have left them.
      for (const [i, m] of members.entries()) await s.db.run("INSERT INTO member_lifecycle VALUES ('2026-06-09', $1, $2)", [m, i < 5 ? 'Regular' : 'New']);

      assert.deepEqual(await publishCoupons(s.db, box.store, clock), { coupons: 9 });
      assert.deepEqual(await publishCoupons(s.db, box.store, clock), { coupons: 9 }, 'a second publish replaces the first');
      // The server's daily publication: none more today (one was made), one on the next day.
      assert.equal(await dailyCouponPublish(s.db, box.store, clock), null);
      clock.advance(86_400);
      assert.deepEqual(await dailyCouponPublish(s.db, box.store, clock), { coupons: 9 });
      assert.equal(await dailyCouponPublish(s.db, box.store, clock), null);

      const report = await couponAnalytics(s.db, box.store, { as_of: '2026-06-10' });
      assert.deepEqual(report.by_template.map((l) => [l.key === a.template_id ? '20 off' : '5 off', l.issued, l.redeemed, l.redemption_rate, l.discount]).sort(), [
        ['20 off', 6, 3, '0.5000', '60.0000'],
        ['5 off', 3, 0, '0.0000', '0.0000'],
      ]);
      assert.deepEqual(
        report.by_stage.map((l) => [l.key, l.issued, l.redeemed, l.discount]),
        [
          ['New', 4, 0, '0.0000'],
          ['Regular', 5, 3, '60.0000'],
        ],
      );

      // The node: redeemed 20-off in the last 7 days, as a saved segment, cuts the report.
      const redeemedRule = { kind: 'coupon', template_id: a.template_id, status: 'redeemed', days: 7 };
      const seg = await createSegment(box.store, clock, 'redeemed 20 off', parseRule(redeemedRule));
      const cut = await couponAnalytics(s.db, box.store, { as_of: '2026-06-10', template_id: a.template_id, segment: seg.segment_id });
      assert.deepEqual(
        cut.by_segment?.lines.map((l) => [l.key, l.issued, l.redeemed]),
        [
          ['in segment', 3, 3],
          ['not in segment', 3, 0],
        ],
      );
      const compiled = compileSegment(parseRule(redeemedRule), '2026-06-10');
      assert.match(compiled.sql, /FROM coupon_facts f WHERE f\.template_id = \$2/);
      assert.ok(!compiled.sql.includes(a.template_id), 'the template ID is bound, not written into the SQL');
      assert.deepEqual(compiled.params, ['2026-06-10', a.template_id, 7]);

      const count = (rule: Record<string, unknown>, asOf: string) => countSegment(s.db, parseRule(rule), asOf);
      assert.equal(await count(redeemedRule, '2026-06-10'), 3);
      assert.equal(await count(redeemedRule, '2026-06-20'), 0, 'redeemed more than 7 days before');
      assert.equal(await count({ kind: 'coupon', template_id: a.template_id, status: 'unused' }, '2026-06-10'), 3);
      assert.equal(await count({ kind: 'coupon', template_id: a.template_id, status: 'unused', days: 30 }, '2026-06-10'), 3, 'valid until 1 July: expiring within 30 days');
      assert.equal(await count({ kind: 'coupon', template_id: a.template_id, status: 'unused', days: 7 }, '2026-06-10'), 0, 'not expiring within 7 days');
      assert.equal(await count({ kind: 'coupon', template_id: a.template_id, status: 'unused' }, '2026-07-02'), 0, 'expired on 1 July');
      assert.equal(await count({ kind: 'coupon', template_id: b.template_id, status: 'unused' }, '2026-06-10'), 3);

      // The same through the API of a server holding the analytical store.
      const app = await buildApp({ ops: box.store, db: s.db, clock });
      try {
        const op = (await createKey(box.store, clock, 'operator', 'ops')).key;
        const analyst = (await createKey(box.store, clock, 'analyst', 'bi')).key;
        const pub = await app.inject({ method: 'POST', url: '/api/coupons/publish', headers: { authorization: `Bearer ${op}` } });
        assert.deepEqual([pub.statusCode, pub.json()], [200, { coupons: 9 }]);
        const got = await app.inject({ url: `/api/coupons/analytics?as_of=2026-06-10&segment=${seg.segment_id}`, headers: { authorization: `Bearer ${analyst}` } });
        assert.equal(got.statusCode, 200, got.body);
        assert.deepEqual(got.json().by_stage, report.by_stage);
        assert.equal(got.json().by_segment.lines[0].redeemed, 3);
      } finally {
        await app.close();
      }

      const bad = validateRule({ kind: 'coupon', template_id: a.template_id, status: 'redeemed' });
      assert.deepEqual(bad.ok ? [] : bad.errors, [{ path: '$.days', reason: 'is required for redeemed (within the last N days)' }]);
    } finally {
      s.close();
      await box.close();
    }
  });
}
