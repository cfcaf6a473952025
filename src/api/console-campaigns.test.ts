import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { clock, sandbox } from '../testing/index.js';
import { generate } from '../generate/index.js';
import { refresh } from '../analytics/index.js';
import { createKey, serve } from './index.js';
import { getCampaign, listRuns, setMessageChannel } from '../campaigns/index.js';
import { createSegment, parseRule } from '../segments/index.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('console: an operator creates a campaign from a saved segment, sees the power check, launches it and reads its evaluation', async () => {
  const s = await sandbox();
  const g = await generate({ members: 800, days: 400, seed: 'console-campaigns', out: join(s.dir, 'gen'), start: '2024-01-01' });
  for (const stem of ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events']) await s.import(g.files[stem]?.path ?? '');
  await refresh(s.db, clock);
  await setMessageChannel(s.ops, clock, 'list', { kind: 'csv', file: join(s.dir, 'list.csv'), consent_channel: 'sms' });
  const seg = await createSegment(s.ops, clock, 'SMS consent', parseRule({ kind: 'consent', channel: 'sms', status: 'granted' }));
  const { key } = await createKey(s.ops, clock, 'admin', 'browser test');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const server = await serve(s.ops, s.db, clock, { port: 0, host: '127.0.0.1', rejectsDir: join(s.dir, 'rejects') });
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#key=${key}`);
    await page.click('nav a[data-page="campaigns"]');
    await page.click('#camp-new');
    await page.waitForSelector('#camp-form');
    await page.fill('#camp-name', 'Spring coupons');
    await page.fill('#camp-key', 'spring-coupons');
    await page.selectOption('#camp-segment', seg.segment_id);
    await page.fill('#camp-control', '20');
    await page.fill('#camp-starts', '2025-01-20 10:00');
    await page.fill('#camp-attribution', '10');
    await page.selectOption('#camp-channel', 'list');
    await page.fill('#camp-at', '-2d');
    await page.fill('#camp-text', '{{name|Hi}}, spring coupons from 20 January');
    // A mistake first: the API names the field.
    await page.fill('#camp-at', 'soon');
    await page.click('#camp-create');
    await page.waitForFunction(() => (document.querySelector('#camp-error')?.textContent ?? '').includes('$.waves[0].at'));
    await page.fill('#camp-at', '-2d');
    await page.click('#camp-create');
    await page.waitForFunction(() => (document.querySelector('#campaign-title')?.textContent ?? '').includes('Spring coupons · Draft'));
    const power = (await page.textContent('#campaign-power')) ?? '';
    assert.match(power, /Feb 3, 2025|2025-02-03/, `the power check names its as-of date, in the page's date format: ${power}`);
    await page.click('#camp-launch');
    await page.waitForFunction(() => (document.querySelector('#campaign-title')?.textContent ?? '').includes('Spring coupons · Launched'));
    await page.waitForSelector('[data-verdict]');
    const verdict = (await page.textContent('[data-verdict]')) ?? '';
    assert.ok(verdict.length > 20, verdict);
    // What the console stored is what the form said, and the launch froze an audience with a control group.
    const rows = await s.ops.all("SELECT campaign_id FROM campaigns WHERE name = 'Spring coupons'");
    assert.equal(rows.length, 1);
    const c = await getCampaign(s.ops, String(rows[0]?.['campaign_id']));
    assert.equal(c.definition.key, 'spring-coupons');
    assert.deepEqual(c.definition.audience, { segment: seg.segment_id });
    assert.equal(c.definition.control.percent, 20);
    assert.equal(c.definition.waves[0]?.template.text, '{{name|Hi}}, spring coupons from 20 January');
    const runs = await listRuns(s.db, c.campaign_id);
    assert.equal(runs.length, 1);
    assert.ok((runs[0]?.audience ?? 0) > 0 && (runs[0]?.control ?? 0) > 0);
    assert.deepEqual(errors, []);
  } finally {
    await server.close();
    await browser.close();
    s.close();
  }
});
