/**
 * A coupon batch through a campaign on both engines: treatment members get the coupon, the
 * control group none; redeemed discounts are part of the campaign's cost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, evaluateCampaignRuns, launchCampaign, runDue } from '../campaigns/index.js';
import { renderTemplate } from '../channels/index.js';
import { loadMembers, movableClock as campaignClock, recordingAdapter, SALE } from '../campaigns/testkit.js';
import { toUnits } from '../core/decimal.js';
import { sandbox } from '../testing/index.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { couponCostOf, couponVariables, issueToCampaign } from './campaign.js';
import { createBatch, createTemplate } from './catalog.js';
import { issueCoupon, memberCoupons } from './issue.js';
import { basketOf, seeded } from './testkit.js';
import { redeem, reserve } from './till.js';

for (const engine of ENGINES) {
  test(`${engine}: a campaign's treatment members get its coupon, control none; redeemed discounts are its cost`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const s = await sandbox();
    try {
      const clk = campaignClock('2026-11-01 10:00');
      await loadMembers(s, 40);
      const c = await createCampaign(box.store, clk, SALE);
      await launchCampaign(s.db, box.store, clk, c.campaign_id);
      const groups = await s.db.all('SELECT member_id, grp FROM campaign_members ORDER BY member_id');
      const treated = groups.filter((g) => g['grp'] === 'treatment').map((g) => String(g['member_id']));
      const control = groups.filter((g) => g['grp'] === 'control').map((g) => String(g['member_id']));
      assert.ok(treated.length > 0 && control.length > 0);
      const tpl = await createTemplate(box.store, clk, { name: 'sale 20 off', kind: 'amount_off', amount: '20' });
      assert.ok(tpl.ok);
      const batch = await createBatch(box.store, clk, { template_id: tpl.value.template_id, codes: { generate: 100 }, campaign_id: c.campaign_id }, seeded('campaign'));
      assert.ok(batch.ok);
      const job = await issueToCampaign(s.db, box.store, clk, { campaign_id: c.campaign_id, batch_id: batch.value.batch_id });
      assert.ok(job.ok);
      assert.equal(job.value.issued, treated.length);
      for (const m of control) assert.deepEqual(await memberCoupons(box.store, clk, m), [], `control ${m} got a coupon`);
      // Three treated members redeem at the till.
      for (const m of treated.slice(0, 3)) {
        const [coupon] = await memberCoupons(box.store, clk, m);
        const r = await reserve(box.store, clk, { key: `r-${m}`, member_id: m, codes: [coupon?.code ?? ''], basket: basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '120' }] }) });
        assert.ok(r.ok);
        assert.ok((await redeem(box.store, clk, { key: `d-${m}`, reservation_id: r.value.reservation_id, order_id: `O-${m}` })).ok);
      }
      const without = await evaluateCampaignRuns(s.db, box.store, c.campaign_id);
      const withCoupons = await evaluateCampaignRuns(s.db, box.store, c.campaign_id, couponCostOf(box.store));
      assert.equal(withCoupons.runs[0]?.cost.coupon_discount, '60.0000');
      assert.equal(toUnits(withCoupons.runs[0]?.cost.total ?? '0') - toUnits(without.runs[0]?.cost.total ?? '0'), toUnits('60'));
      // A batch of another campaign cannot be issued through this one.
      const stray = await createBatch(box.store, clk, { template_id: tpl.value.template_id, codes: { generate: 10 } }, seeded('stray'));
      assert.ok(stray.ok);
      const refused = await issueToCampaign(s.db, box.store, clk, { campaign_id: c.campaign_id, batch_id: stray.value.batch_id });
      assert.equal(refused.ok ? 'issued' : refused.error.type, 'invalid_request');
    } finally {
      s.close();
      await box.close();
    }
  });
}

for (const engine of ENGINES) {
  test(`${engine}: {{coupon}} in a campaign message renders each treatment member's own code; control members get nothing; a member without a code is reported, not sent a blank`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const s = await sandbox();
    try {
      const clk = campaignClock('2026-11-01 10:00');
      await loadMembers(s, 30);
      const def = { ...SALE, waves: [{ id: 'edm', channel: 'edm', at: '-5d', template: { subject: 'A gift, {{name}}', text: 'Your code: {{coupon}}' } }] };
      const c = await createCampaign(box.store, clk, def);
      await launchCampaign(s.db, box.store, clk, c.campaign_id);
      const groups = await s.db.all('SELECT member_id, grp FROM campaign_members ORDER BY member_id');
      const treated = groups.filter((g) => g['grp'] === 'treatment').map((g) => String(g['member_id']));
      const control = new Set(groups.filter((g) => g['grp'] === 'control').map((g) => String(g['member_id'])));
      const tpl = await createTemplate(box.store, clk, { name: 'gift', kind: 'amount_off', amount: '20', per_member_limit: 1 });
      assert.ok(tpl.ok);
      // One treated member already holds this template's coupon, so the campaign's job skips them.
      const [skipped = ''] = treated;
      const other = await createBatch(box.store, clk, { template_id: tpl.value.template_id, codes: { generate: 5 } }, seeded('other'));
      assert.ok(other.ok);
      assert.ok((await issueCoupon(box.store, clk, { key: 'earlier', batch_id: other.value.batch_id, member_id: skipped })).ok);
      const batch = await createBatch(box.store, clk, { template_id: tpl.value.template_id, codes: { generate: 100 }, campaign_id: c.campaign_id }, seeded('gift'));
      assert.ok(batch.ok);
      const job = await issueToCampaign(s.db, box.store, clk, { campaign_id: c.campaign_id, batch_id: batch.value.batch_id });
      assert.ok(job.ok);
      assert.equal(job.value.skipped, 1);

      // The wave is due five days before the sale; the channel renders like every real adapter.
      clk.set('2026-11-06 10:00');
      const edm = recordingAdapter('email', {
        answer: (m) => {
          const r = renderTemplate(m.template, m.variables);
          return r.ok ? { status: 'sent', providerId: m.recipient.memberId } : { status: 'failed', error: `template variables missing: ${r.missing.join(', ')}` };
        },
      });
      const report = await runDue(s.db, box.store, clk, async () => edm, { variables: couponVariables(box.store) });
      const sentTo = edm.messages.map((m) => m.recipient.memberId);
      assert.ok(sentTo.length > 0);
      assert.ok(
        sentTo.every((m) => !control.has(m)),
        'no control member gets a message',
      );
      for (const m of edm.messages) {
        const [own] = await memberCoupons(box.store, clk, m.recipient.memberId);
        const rendered = renderTemplate(m.template, m.variables);
        assert.ok(rendered.ok);
        assert.equal(rendered.message.text, `Your code: ${own?.code ?? '?'}`, `member ${m.recipient.memberId} sees their own code`);
      }
      assert.equal(new Set(edm.messages.map((m) => m.variables['coupon'])).size, edm.messages.length, 'every code is different');
      assert.equal(report.failed, 1);
      const failed = await s.db.all("SELECT member_id, last_error FROM campaign_sends WHERE state = 'failed'");
      assert.deepEqual(
        failed.map((f) => [f['member_id'], f['last_error']]),
        [[skipped, 'template variables missing: coupon']],
      );
    } finally {
      s.close();
      await box.close();
    }
  });
}
