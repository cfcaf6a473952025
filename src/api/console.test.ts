import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { chromiumPath, CHROMIUM_FLAGS, clock, ROOT, sandbox } from '../testing/index.js';
import { generate } from '../generate/index.js';
import { analyze, refresh } from '../analytics/index.js';
import { createKey, serve } from './index.js';
import { fixedClock } from '../core/clock.js';
import { createCampaign, launchCampaign, runDue, setMessageChannel, storedChannels } from '../campaigns/index.js';
import { countSegment, createSegment, parseRule, snapshotSegment } from '../segments/index.js';

// The console in Debian's Chromium against a real server on a small generated merchant.
const chromium_ = chromiumPath();
const skip = 'skip' in chromium_ ? chromium_.skip : false;
const PAGES = ['overview', 'links', 'repeat', 'lifecycle', 'rfm', 'members', 'segments', 'campaigns', 'import', 'settings'];

test('console: every page draws from the API, filters change the data, language switches and stays, member search and profile, upload', { skip }, async () => {
  const s = await sandbox();
  const g = await generate({ members: 1500, days: 400, seed: 'console', out: join(s.dir, 'gen'), start: '2024-01-01' });
  for (const stem of ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events']) await s.import(g.files[stem]?.path ?? '');
  await refresh(s.db, clock);
  // A launched and sent campaign (CSV list channel) for the campaigns page.
  const t = fixedClock('2025-01-18T12:00:00Z');
  await setMessageChannel(s.ops, t, 'list', { kind: 'csv', file: join(s.dir, 'list.csv'), consent_channel: 'sms' });
  const campaign = await createCampaign(s.ops, t, {
    name: 'Winter sale',
    audience: { rule: { kind: 'consent', channel: 'sms', status: 'granted' } },
    starts_at: '2025-01-20 10:00',
    control: { percent: 20 },
    attribution_days: 14,
    waves: [{ id: 'sms', channel: 'list', at: '-2d', template: { text: 'Winter sale on 12 December' } }],
  });
  const run = await launchCampaign(s.db, s.ops, t, campaign.campaign_id, { asOf: '2025-01-17' });
  assert.ok(run.audience > 100, `a real audience (${run.audience})`);
  assert.equal((await runDue(s.db, s.ops, t, storedChannels(s.ops))).sent > 0, true);
  // A saved segment with two snapshots for the segments page's size history.
  const regulars = await createSegment(s.ops, clock, 'Regulars and fans', parseRule({ kind: 'lifecycle', stages: ['Regular', 'Fan'] }));
  await analyze(s.db, clock, 'lifecycle', { asOf: '2024-12-31' }); // stages stored for the earlier snapshot's date
  for (const d of ['2024-12-31', '2025-02-03']) await snapshotSegment(s.db, s.ops, clock, regulars.segment_id, d);
  const { key } = await createKey(s.ops, clock, 'admin', 'browser test');
  // The browser first: if it cannot start, no server is left listening to keep the test process alive.
  const browser = await chromium.launch({ executablePath: 'path' in chromium_ ? chromium_.path : '', args: CHROMIUM_FLAGS });
  const server = await serve(s.ops, s.db, clock, { port: 0, host: '127.0.0.1', rejectsDir: join(s.dir, 'rejects') });
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${server.url}/#key=${key}`);
    await page.waitForSelector('.card');
    assert.equal(await page.evaluate(() => localStorage.getItem('regulars.key')), key, 'the key from the URL fragment is kept');
    assert.ok(!page.url().includes('key='), 'and removed from the address bar');
    // The console's period (a month ending on the as-of date) asked of the API directly.
    const periods = (await import(pathToFileURL(join(ROOT, 'dist', 'web', 'periods.js')).href)) as { periodRange(k: string, asOf: string, from: string, to: string): { from: string; to: string } };
    const meta = (await (await fetch(`${server.url}/api/meta`, { headers: { authorization: `Bearer ${key}` } })).json()) as { as_of_default: string };
    const month = periods.periodRange('month', meta.as_of_default, '', '');
    const kpi = (await (await fetch(`${server.url}/api/reports/kpi?as_of=${month.to}&from=${month.from}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      result: { summary: { current: { orders: number } } };
    };
    assert.ok((await page.textContent('.cards'))?.includes(new Intl.NumberFormat('en-US').format(kpi.result.summary.current.orders)), 'the overview shows the API figures');
    for (const p of PAGES) {
      await page.click(`nav a[data-page="${p}"]`);
      await page
        .waitForFunction((name) => location.hash.startsWith(`#/${name}`) && document.querySelector('#page h2') !== null && document.querySelector('#loading') === null, p)
        .catch(async (e: unknown) => {
          throw new Error(`${p}: ${(await page.textContent('#page')) ?? ''} ${String(e)} ${errors.join(' | ')}`.slice(0, 900));
        });
      if (!['members', 'import', 'settings'].includes(p))
        await page.waitForSelector('#page canvas').catch(async (e: unknown) => {
          throw new Error(`${p}: ${(await page.textContent('#page')) ?? ''} ${String(e)}`.slice(0, 600));
        });
      if (p === 'campaigns') {
        await page.waitForSelector('[data-verdict]');
        assert.match((await page.textContent('#campaign-title')) ?? '', /Winter sale/);
        assert.ok(((await page.textContent('[data-verdict]')) ?? '').length > 20, 'a plain-language verdict');
      }
      const text = (await page.textContent('#page')) ?? '';
      assert.ok(!text.includes('Could not load'), `${p}: ${text.slice(0, 200)}`);
    }
    // Filters: a weekly period changes the request and the URL.
    await page.click('nav a[data-page="repeat"]');
    await page.waitForSelector('#page canvas');
    const before = requests.length;
    await page.selectOption('#f-period', 'week');
    await page.waitForFunction(() => location.hash.includes('period=week'));
    await page.waitForSelector('#page canvas');
    assert.ok(
      requests.slice(before).some((u) => u.includes('/api/reports/repeat') && u.includes('period=week')),
      'the weekly report is asked for',
    );
    await page.fill('#f-as-of', '2024-10-31');
    await page.dispatchEvent('#f-as-of', 'change');
    await page.waitForFunction(() => location.hash.includes('as_of=2024-10-31'));
    await page.waitForSelector('#page canvas');
    assert.ok(requests.some((u) => u.includes('as_of=2024-10-31')));
    // Language: Chinese labels, remembered after a reload.
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('nav a[data-page="overview"]')?.textContent === '经营总览');
    await page.reload();
    await page.waitForSelector('nav a[data-page="overview"]');
    assert.equal(await page.textContent('nav a[data-page="overview"]'), '经营总览');
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('nav a[data-page="overview"]')?.textContent === 'Overview');
    // Segments: the rule builder counts live; a saved segment becomes a filter of every report.
    await page.click('nav a[data-page="segments"]');
    await page.waitForSelector('#seg-title');
    await page.click('#seg-new');
    await page.selectOption('#seg-kind-0', 'consent');
    const rule = parseRule({ kind: 'consent', channel: 'sms', status: 'granted' });
    const asOf = await page.inputValue('#f-as-of'); // the as-of filter set above
    const expected = await countSegment(s.db, rule, asOf);
    await page.waitForFunction((n) => document.querySelector('#seg-members')?.textContent === String(n), expected);
    assert.deepEqual(JSON.parse(await page.inputValue('#seg-json')), rule, 'the builder wrote the rule the count used');
    await page.selectOption('#seg-0-status', 'withdrawn');
    const withdrawn = await countSegment(s.db, parseRule({ kind: 'consent', channel: 'sms', status: 'withdrawn' }), asOf);
    await page.waitForFunction((n) => document.querySelector('#seg-members')?.textContent === String(n), withdrawn);
    await page.fill('#seg-name', 'SMS withdrawn');
    await page.click('#seg-save');
    await page.waitForFunction(() => document.querySelector('#seg-title')?.textContent?.startsWith('SMS withdrawn') === true);
    const savedId = String((await s.ops.one("SELECT segment_id FROM segments WHERE name = 'SMS withdrawn'"))?.['segment_id']);
    await page.click('nav a[data-page="lifecycle"]');
    await page.waitForSelector('#page canvas');
    await page.selectOption('#f-segment', savedId);
    await page.waitForSelector('#scope-note');
    assert.match((await page.textContent('#scope-note')) ?? '', new RegExp(`SMS withdrawn \\(${withdrawn}\\)`));
    assert.ok(
      requests.some((u) => u.includes('/api/reports/lifecycle') && u.includes(`segment=${savedId}`)),
      'the report is asked for the segment',
    );
    await page.waitForSelector('#page canvas, #page [data-empty]').catch(async (e: unknown) => {
      throw new Error(`lifecycle for the segment: ${(await page.textContent('#page')) ?? ''} ${String(e)}`.slice(0, 900));
    });
    await page.selectOption('#f-segment', '');
    await page.waitForFunction(() => document.querySelector('#scope-note') === null && document.querySelector('#page canvas') !== null);
    // Member search by phone and the profile.
    const phone = String(
      (await s.db.one("SELECT value FROM identities WHERE kind = 'phone' AND member_id IN (SELECT member_id FROM order_values WHERE is_purchase) ORDER BY value LIMIT 1"))?.['value'],
    );
    await page.click('nav a[data-page="members"]');
    await page.waitForSelector('#member-q');
    await page.click('#member-search');
    await page.waitForSelector('#member-empty-query'); // an empty search says what to type, no error
    // Service staff ask for the last four digits of the phone.
    const lastFour = phone.slice(-4);
    const sharing = Number((await s.db.one("SELECT count(DISTINCT member_id) AS n FROM identities WHERE kind = 'phone' AND member_id IS NOT NULL AND suffix(value, $1)", [lastFour]))?.['n']);
    await page.fill('#member-q', lastFour);
    await page.click('#member-search');
    if (sharing === 1) await page.waitForSelector('#member-profile h3');
    else {
      await page.waitForSelector('#member-results tbody tr');
      assert.equal(await page.locator('#member-results tbody tr').count(), Math.min(20, sharing), 'every member whose phone ends in those digits');
      const row = page.locator('#member-results tbody tr', { hasText: phone });
      await row.first().click();
      await page.waitForSelector('#member-profile h3');
    }
    assert.ok((await page.textContent('#member-profile'))?.includes(phone));
    assert.ok((await page.$('#member-card [data-fact="stage"]')) !== null, 'the summary card');
    // Upload a small file and see the report.
    await page.click('nav a[data-page="import"]');
    await page.waitForSelector('#imp-file');
    await page.setInputFiles('#imp-file', {
      name: 'orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('channel,order_id,buyer_id,created_at,paid_at,status\nweb,UP1,U1,2024-12-01 10:00:00,2024-12-01 10:00:00,paid\nweb,UP2,U2,not a date,,paid\n'),
    });
    await page.selectOption('#imp-preset', 'regulars');
    await page.click('#imp-go');
    await page.waitForSelector('#imp-report table');
    const report = (await page.textContent('#imp-report')) ?? '';
    assert.match(report, /Loaded\s*1/);
    assert.match(report, /Rejected\s*1/);
    assert.ok((await page.$('#imp-rejects')) !== null, 'a link to the reject report');
    assert.deepEqual(errors, [], 'no errors in the browser console');
  } finally {
    await browser.close();
    await server.close();
    s.close();
  }
});
