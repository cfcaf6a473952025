import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, sandbox } from '../testing/index.js';
import { CampaignError, createCampaign, launchCampaign, validateCampaign } from './index.js';
import { loadMembers, movableClock, SALE } from './testkit.js';

test('a campaign ID and its control group come from its key or definition, never from the clock', async () => {
  const groups: string[][] = [];
  const ids: string[] = [];
  for (const at of ['2026-11-01 10:00', '2026-11-01 17:42']) {
    const s = await sandbox();
    try {
      await loadMembers(s, 60);
      const clk = movableClock(at);
      const c = await createCampaign(s.ops, clk, SALE);
      ids.push(c.campaign_id);
      await launchCampaign(s.db, s.ops, clk, c.campaign_id);
      groups.push((await s.db.all("SELECT member_id FROM campaign_members WHERE grp = 'control' ORDER BY member_id")).map((r) => String(r['member_id'])));
      // Created again: the same draft, not a second campaign.
      assert.equal((await createCampaign(s.ops, clk, SALE)).campaign_id, c.campaign_id);
      const keyed = await createCampaign(s.ops, clk, { ...SALE, key: 'sale-2026' });
      assert.notEqual(keyed.campaign_id, c.campaign_id);
      await assert.rejects(
        createCampaign(s.ops, clk, { ...SALE, key: 'sale-2026', name: 'Another sale' }),
        (e: unknown) => e instanceof CampaignError && e.code === 'conflict' && /already used/.test(e.message),
      );
    } finally {
      s.close();
    }
  }
  assert.equal(ids[0], ids[1]);
  assert.ok((groups[0]?.length ?? 0) > 0);
  assert.deepEqual(groups[0], groups[1]);
});

test('a repeated campaign whose attribution windows would overlap is refused at creation', () => {
  const weekly = { ...SALE, repeat: { every_days: 7, runs: 4 }, attribution_days: 7, waves: [{ id: 'sms', channel: 'sms', at: '-1d', template: { text: 'x' } }] };
  const v = validateCampaign(weekly);
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : (v.errors.find((e) => e.path === '$.attribution_days')?.reason ?? ''), /attribution window \(8 days from the first wave\) is longer than the 7 days between runs/);
  assert.equal(validateCampaign({ ...weekly, attribution_days: 6 }).ok, true, 'six days plus the day before T fit in a week');
});

test('the demo campaign gives the same verdict on two runs of the demo', () => {
  const sections: string[] = [];
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'regulars-demo-'));
    try {
      const r = spawnSync(process.execPath, [join('scripts', 'demo.js'), '--no-serve', '--members', '500', '--dir', dir], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(r.status, 0, r.stderr);
      // From the evaluation's first line (the campaign ID) to the next section; the scheduler's
      // line before it carries the wall-clock time of sending and is left out.
      // The campaign's evaluation: up to the next section of the demo (loyalty, coupons, the member base).
      const m = /^(C[0-9A-F]{10} 'Winter sale \(demo\)'[\s\S]*?)\n== /m.exec(r.stdout);
      assert.ok(m !== null && m[1] !== undefined, r.stdout.slice(-2000));
      sections.push(m[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.match(sections[0] ?? '', /Not enough evidence|The campaign worked|The campaign hurt/);
  assert.equal(sections[0], sections[1]);
});
