import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { refresh } from '../analytics/index.js';
import { campaignOverview, createCampaign, launchCampaign } from './index.js';
import { loadMembers, movableClock, SALE } from './testkit.js';

test('the power check reads the as-of date of the data (or the one asked for), not today, for response and revenue', async () => {
  const s = await sandbox();
  try {
    await loadMembers(s, 40);
    // Members 1-8 buy on 2026-03-10 (100.00, 200.00, ..., 800.00); the data ends that day.
    const orders = ['channel,order_id,buyer_id,buyer_phone,created_at,paid_at,item_total'];
    const lines = ['channel,order_id,line_no,sku,quantity,unit_price'];
    for (let i = 1; i <= 8; i++) {
      orders.push(`shop,o${i},,1380000${String(i).padStart(4, '0')},2026-03-10 12:00:00,2026-03-10 12:00:00,${i * 100}.00`);
      lines.push(`shop,o${i},1,P,1,${i * 100}.00`);
    }
    await s.import(s.write('orders.csv', orders.join('\n')));
    await s.import(s.write('order_lines.csv', lines.join('\n')));
    const clk = movableClock('2026-11-01 10:00'); // "today" is months after the data
    await refresh(s.db, clk);
    const c = await createCampaign(s.ops, clk, { ...SALE, attribution_days: 7 });
    const p = (await campaignOverview(s.db, s.ops, clk, c.campaign_id)).power;
    assert.equal(p.as_of, '2026-03-10');
    assert.equal(p.audience, 40);
    assert.equal(p.baseline_rate, 8 / 40, 'eight of forty bought in the 7 days to the as-of date (today: nobody)');
    // Capped at the 95th percentile of the eight positive spends (numpy.percentile([100..800], 95) = 765),
    // mean over 40 members = (100 + ... + 700 + 765) / 40 = 89.125.
    assert.ok(Math.abs(p.baseline_revenue_per_member - 89.125) < 1e-9, String(p.baseline_revenue_per_member));
    assert.ok(p.detectable_revenue_uplift !== null && p.detectable_revenue_uplift > 0);
    const later = (await campaignOverview(s.db, s.ops, clk, c.campaign_id, { asOf: '2026-04-30' })).power;
    assert.equal(later.baseline_rate, 0);
    assert.equal(later.detectable_revenue_uplift, null);
    // Once launched, the audience date of the launch is the default.
    await launchCampaign(s.db, s.ops, clk, c.campaign_id, { asOf: '2026-03-09' });
    assert.equal((await campaignOverview(s.db, s.ops, clk, c.campaign_id)).power.as_of, '2026-03-09');
  } finally {
    s.close();
  }
});
