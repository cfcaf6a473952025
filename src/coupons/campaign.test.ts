/**
 * A coupon batch through a campaign on both engines: treatment members get the coupon, the
 * control group none; redeemed discounts are part of the campaign's cost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, evaluateCampaignRuns, launchCampaign } from '../campaigns/index.js';
import { loadMembers, movableClock as campaignClock, SALE } from '../campaigns/testkit.js';
import { toUnits } from '../core/decimal.js';
import { sandbox } from '../testing/index.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { couponCostOf, issueToCampaign } from './campaign.js';
import { createBatch, createTemplate } from './catalog.js';
import { memberCoupons } from './issue.js';
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
