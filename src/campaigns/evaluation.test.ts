import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import type { Db } from '../core/db/index.js';
import { refreshOrderFacts } from '../ingest/index.js';
import { createCampaign, evaluateCampaignRuns, launchCampaign, listRuns, runDue } from './index.js';
import { loadMembers, movableClock, recordingAdapter } from './testkit.js';

/** Five members; A, B, C treated and D, E control, placed by hand (the assignment is tested elsewhere). */
async function fixture(db: Db, campaignId: string): Promise<void> {
  const ts = "TIMESTAMP '2025-01-01 00:00:00'";
  await db.run(`INSERT INTO members (member_id, anchor_identity_id, identity_count, updated_at) VALUES
    ('A', 1, 1, ${ts}), ('B', 2, 1, ${ts}), ('C', 3, 1, ${ts}), ('D', 4, 1, ${ts}), ('E', 5, 1, ${ts})`);
  await db.run(`INSERT INTO identities (identity_id, kind, scope, value, member_id) VALUES
    (1, 'account', 'web', 'a', 'A'), (2, 'account', 'web', 'b', 'B'), (3, 'account', 'web', 'c', 'C'), (4, 'account', 'web', 'd', 'D'), (5, 'account', 'web', 'e', 'E')`);
  await db.run("INSERT INTO products (sku, cost) VALUES ('P1', NULL), ('P2', 50.00)");
  // Window: T-5d = 2026-11-06 10:00 to T+3d = 2026-11-14 10:00.
  await db.run(`INSERT INTO orders (channel_id, order_id, buyer_id, created_at, paid_at, status) VALUES
    ('web', 'a1', 1, TIMESTAMP '2026-11-07 09:00:00', TIMESTAMP '2026-11-07 09:00:00', 'paid'),
    ('web', 'a2', 1, TIMESTAMP '2026-11-12 09:00:00', TIMESTAMP '2026-11-12 09:00:00', 'paid'),
    ('web', 'b0', 2, TIMESTAMP '2026-03-01 09:00:00', TIMESTAMP '2026-03-01 09:00:00', 'paid'),
    ('web', 'b1', 2, TIMESTAMP '2026-11-11 10:30:00', TIMESTAMP '2026-11-11 10:30:00', 'paid'),
    ('web', 'c1', 3, TIMESTAMP '2026-11-14 10:00:00', TIMESTAMP '2026-11-14 10:00:00', 'paid'),
    ('web', 'd1', 4, TIMESTAMP '2026-11-13 20:00:00', TIMESTAMP '2026-11-13 20:00:00', 'paid'),
    ('web', 'e1', 5, TIMESTAMP '2026-11-12 20:00:00', NULL, 'created')`);
  await db.run(`INSERT INTO order_lines (channel_id, order_id, line_no, sku, line_type, quantity, unit_price, cost, amount) VALUES
    ('web', 'a1', 1, 'P1', 'product', 2, 50.00, 30.00, 100.00),
    ('web', 'a1', 2, NULL, 'postage', 1, 8.00, NULL, 8.00),
    ('web', 'a2', 1, 'P1', 'product', 1, 50.00, NULL, 50.00),
    ('web', 'b0', 1, 'P2', 'product', 1, 70.00, NULL, 70.00),
    ('web', 'b1', 1, 'P2', 'product', 1, 80.00, NULL, 80.00),
    ('web', 'c1', 1, 'P1', 'product', 1, 90.00, NULL, 90.00),
    ('web', 'd1', 1, 'P1', 'product', 1, 40.00, 30.00, 40.00),
    ('web', 'e1', 1, 'P1', 'product', 1, 60.00, NULL, 60.00)`);
  await refreshOrderFacts(db); // written directly, not imported: bring the order totals up to date
  await db.run(
    `INSERT INTO events (channel_id, event_id, actor_id, type, occurred_at, campaign_id) VALUES
    ('web', 'k1', 1, 'coupon_redeemed', TIMESTAMP '2026-11-12 09:00:00', $1)`,
    [campaignId],
  );
  await db.run(`INSERT INTO campaign_runs VALUES ($1, 1, TIMESTAMP '2026-11-11 10:00:00', DATE '2026-11-01', TIMESTAMP '2026-11-01 10:00:00', 4000, FALSE, 5, 2)`, [campaignId]);
  await db.run(
    `INSERT INTO campaign_members VALUES
    ($1, 1, 'A', 'treatment', 'all', 9000, TIMESTAMP '2026-11-01 10:00:00'), ($1, 1, 'B', 'treatment', 'all', 8000, TIMESTAMP '2026-11-01 10:00:00'),
    ($1, 1, 'C', 'treatment', 'all', 7000, TIMESTAMP '2026-11-01 10:00:00'), ($1, 1, 'D', 'control', 'all', 100, TIMESTAMP '2026-11-01 10:00:00'),
    ($1, 1, 'E', 'control', 'all', 200, TIMESTAMP '2026-11-01 10:00:00')`,
    [campaignId],
  );
}

const DEF = {
  name: 'Evaluated',
  audience: { rule: { kind: 'consent', channel: 'email', status: 'granted' } },
  starts_at: '2026-11-11 10:00',
  control: { percent: 40 },
  attribution_days: 3,
  cost: { per_message: { sms: '0.05' }, per_coupon: '2.50', fixed: '10.00' },
  waves: [
    { id: 'edm', channel: 'edm', at: '-5d', template: { text: 'x' } },
    { id: 'sms', channel: 'sms', at: '-1h', template: { text: 'y' } },
  ],
};

test('group totals, cost and increments match hand-computed figures for every goal', async () => {
  const s = await sandbox();
  try {
    const clk = movableClock('2026-11-01 10:00');
    const expected: Record<string, [number, number]> = { purchases: [2, 1], revenue: [2, 1], second_purchase: [1, 0], reactivation: [1, 0] };
    for (const [goal, [tResp, cResp]] of Object.entries(expected)) {
      const c = await createCampaign(s.ops, clk, { ...DEF, name: `Evaluated ${goal}`, goal });
      if (goal === 'purchases') await fixture(s.db, c.campaign_id);
      else {
        await s.db.run('INSERT INTO campaign_runs SELECT $1, run_id, starts_at, audience_as_of, launched_at, control_bp, stratified, audience, control FROM campaign_runs WHERE run_id = 1 LIMIT 1', [
          c.campaign_id,
        ]);
        await s.db.run(
          'INSERT INTO campaign_members SELECT $1, run_id, member_id, grp, stratum, bucket, assigned_at FROM campaign_members WHERE campaign_id = (SELECT min(campaign_id) FROM campaign_members)',
          [c.campaign_id],
        );
      }
      const ev = await evaluateCampaignRuns(s.db, s.ops, c.campaign_id);
      const run = ev.runs[0];
      assert.ok(run !== undefined);
      assert.deepEqual(run.window, { from: '2026-11-06 10:00:00', to: '2026-11-14 10:00:00' });
      // A: a1 100 (margin 100 - 2 x 30 = 40) + a2 50 (no cost: 30% = 15); B: b1 80 (product cost 50: 30);
      // C bought exactly at the window's end (excluded); postage is not product value.
      assert.deepEqual(run.treatment, { members: 3, responders: tResp, orders: 3, revenue: '230.0000', revenueSquares: '28900.00000000', margin: '85.0000', marginSquares: '3925.00000000' }, goal);
      // D: 40 (margin 10); E's unpaid order is not a purchase.
      assert.deepEqual(run.control, { members: 2, responders: cResp, orders: 1, revenue: '40.0000', revenueSquares: '1600.00000000', margin: '10.0000', marginSquares: '100.00000000' }, goal);
      if (goal === 'purchases') {
        // Cost: fixed 10.00 + one coupon 2.50 (no messages were sent).
        assert.equal(run.cost.total, '12.5000');
        assert.equal(run.cost.coupons, 1);
        // Incremental revenue (230/3 - 40/2) x 3 = 170.00; margin (85/3 - 10/2) x 3 = 70.00; ROI 70 / 12.50.
        assert.deepEqual(run.evaluation.incremental, { responders: 0, revenue: '170.00', margin: '70.00' });
        // Two buyers in treatment, one in control: revenue, margin and ROI are not judged.
        assert.equal(run.evaluation.roi, null);
        assert.match(run.evaluation.withheld.revenue ?? '', /too few responders in the control group to judge revenue \(1; at least 20 needed\)/);
        // The member-level rows behind the statistics add up to the SQL totals.
        assert.deepEqual(
          run.experiment.groups.map((g) => [g.arm, g.members, g.buyers, g.revenue]),
          [
            ['treatment', 3, 2, 230],
            ['control', 2, 1, 40],
          ],
        );
        // 180 days ending with the audience date 2026-11-01 (before the window's start 2026-11-06).
        assert.deepEqual(run.pre_period, { from: '2026-05-06 00:00:00', to: '2026-11-02 00:00:00' });
        assert.equal(run.evaluation.treatment.revenue_per_member, '76.67');
        assert.match(run.verdict.en, /not|no /i);
        // The data reach the window's end (C's order at 10:00 on the last day): the final look.
        assert.equal(run.interim, false);
        assert.equal(run.experiment.method.sequential, null);
      }
    }
  } finally {
    s.close();
  }
});

test('a weekly campaign launches each run on schedule with its own audience freeze, evaluated per run and pooled', async () => {
  const s = await sandbox();
  try {
    await loadMembers(s, 20);
    const clk = movableClock('2026-06-01 08:00');
    const weekly = await createCampaign(s.ops, clk, {
      ...DEF,
      name: 'Weekly',
      control: { percent: 30 },
      repeat: { every_days: 7, runs: 2 },
      starts_at: '2026-06-03 10:00',
      waves: [{ id: 'sms', channel: 'sms', at: '-1d', template: { text: 'Weekly offer' } }],
    });
    await launchCampaign(s.db, s.ops, clk, weekly.campaign_id);
    const sms = recordingAdapter('sms');
    clk.set('2026-06-02 10:00');
    let r = await runDue(s.db, s.ops, clk, () => Promise.resolve(sms));
    assert.deepEqual(r.launched, []);
    const first = r.sent;
    assert.ok(first > 0);
    clk.set('2026-06-09 10:00');
    r = await runDue(s.db, s.ops, clk, () => Promise.resolve(sms));
    assert.deepEqual(r.launched, [`${weekly.campaign_id}:2`]);
    const runs = await listRuns(s.db, weekly.campaign_id);
    assert.deepEqual(
      runs.map((x) => [x.run_id, x.starts_at, x.audience_as_of]),
      [
        [1, '2026-06-03 10:00:00', '2026-06-01'],
        [2, '2026-06-10 10:00:00', '2026-06-09'],
      ],
    );
    // The same member keeps the same group across runs (the hash is of member and campaign).
    const moved = await s.db.all(`SELECT a.member_id FROM campaign_members a JOIN campaign_members b USING (campaign_id, member_id)
      WHERE a.run_id = 1 AND b.run_id = 2 AND a.grp <> b.grp`);
    assert.equal(moved.length, 0);
    assert.equal(r.sent, first, 'run 2 sends to its own treated members once');
    assert.equal(new Set(sms.messages.map((m) => m.idempotencyKey)).size, 2 * first);
    clk.set('2026-06-16 10:00');
    r = await runDue(s.db, s.ops, clk, () => Promise.resolve(sms));
    assert.deepEqual(r.launched, [], 'two runs only');
    const ev = await evaluateCampaignRuns(s.db, s.ops, weekly.campaign_id);
    assert.equal(ev.runs.length, 2);
    assert.ok(ev.pooled !== null && ev.pooled.comparison !== null);
    // Nobody bought: the pooled revenue is not judged, and the response uplift is zero.
    assert.equal(ev.pooled.comparison.response.estimate, 0);
    assert.equal(ev.pooled.comparison.revenue.significant, false);
    assert.match(ev.pooled.comparison.revenue.withheld_reason ?? '', /too few responders/);
    assert.equal(
      ev.pooled.comparison.increments?.exposures,
      ev.runs.reduce((a, r) => a + r.treatment.members, 0),
    );
    assert.equal(ev.runs[1]?.cost.messages['sms'], first);
    // No order reaches the windows' ends yet: interim looks, marked, with always-valid intervals.
    assert.equal(ev.runs[0]?.interim, true);
    assert.match(ev.runs[0]?.verdict.en ?? '', /^Interim look \(the data end before any order, the window on 2026-06-06 10:00:00; always-valid 95% intervals\)/);
    assert.deepEqual(ev.runs[0]?.experiment.method.sequential, { tuning: 5000 });
  } finally {
    s.close();
  }
});
