import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath, CHROMIUM_FLAGS, clock, ROOT, sandbox } from '../testing/index.js';
import { generate } from '../generate/index.js';
import { refresh } from '../analytics/index.js';
import { countSegment, createSegment, parseRule } from '../segments/index.js';
import { backfill, loadProgramme, memberLoyalty, parseProgramme, pointsReport, readBackfillOrders, runTierJob, saveProgramme } from '../loyalty/index.js';
import { createBatch, createTemplate, issueCoupon, parseBasket, redeem, reserve } from '../coupons/index.js';
import { defaultScoreSettings, fitModel, scoreMembers } from '../models/index.js';
import { createKey, serve } from './index.js';

/** A loyalty programme with tiers over the merchant's orders (an audited backfill, then the tier job), and a coupon batch partly redeemed. */
async function rewards(s: Awaited<ReturnType<typeof sandbox>>): Promise<void> {
  const programme = parseProgramme({
    programme_id: 'main',
    name: '会员积分 Rewards',
    starts_on: '2025-12-01',
    expiry: { model: 'period_end', period: 'year', periods: 2 },
    tiers: {
      metric: 'qualifying_points',
      window: 'rolling_365',
      downgrade: 'one_step',
      grace_days: 30,
      levels: [
        { code: 'member', name: '会员 Member', threshold: 0 },
        { code: 'silver', name: '银卡 Silver', threshold: 200 },
        { code: 'gold', name: '金卡 Gold', threshold: 1000 },
      ],
    },
  });
  if (!programme.ok) throw new Error(programme.error.errors.join('; '));
  await saveProgramme(s.ops, programme.config, clock.now());
  await backfill(s.ops, clock, 'main', await readBackfillOrders(s.db, '2024-01-01', '2026-01-01'), 'browser test');
  await runTierJob(s.ops, clock, 'main');
  const tpl = await createTemplate(s.ops, clock, { name: '满150减20', kind: 'threshold', spend: '150', off: '20', budget: { count: 100 } });
  if (!tpl.ok) throw new Error(JSON.stringify(tpl.error));
  const batch = await createBatch(s.ops, clock, { template_id: tpl.value.template_id, codes: { generate: 40, spec: { prefix: 'M-', pattern: '######' } } });
  if (!batch.ok) throw new Error(JSON.stringify(batch.error));
  const top = (await pointsReport(s.ops, 'main', clock.now())).top.map((t) => t.member_id ?? '');
  const basket = parseBasket({ lines: [{ sku: 'X', quantity: 1, unit_price: '199.00' }] });
  if (!basket.ok) throw new Error('basket');
  for (const [i, m] of top.entries()) {
    const c = await issueCoupon(s.ops, clock, { key: `issue-${m}`, batch_id: batch.value.batch_id, member_id: m });
    if (!c.ok || i % 2 === 1) continue;
    const r = await reserve(s.ops, clock, { key: `r-${m}`, member_id: m, codes: [c.value.code], basket: basket.basket });
    if (r.ok) await redeem(s.ops, clock, { key: `d-${m}`, reservation_id: r.value.reservation_id, order_id: `O-${m}` });
  }
}

// The console as a merchant uses it, in Debian's Chromium against a real server: both languages
// on every page, the period filter, the segment builder, the phone layout, loading and empty states.
const found = chromiumPath();
const skip = 'skip' in found ? found.skip : false;
const PAGES = ['overview', 'review', 'links', 'repeat', 'lifecycle', 'rfm', 'members', 'segments', 'campaigns', 'loyalty', 'coupons', 'models', 'products', 'service', 'import', 'settings'];
// Words a Chinese page may show as they are: abbreviations Chinese users use, the brand.
const KEPT = new Set(['RFM', 'KPI', 'ROI', 'CLV', 'CSV', 'SMS', 'EDM', 'API', 'SKU', 'JSON', 'ISO', 'Regulars']);

/** The page's visible words outside data (elements marked translate="no", code, inputs, charts). */
async function words(page: Page): Promise<string> {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    if (!(body instanceof HTMLElement)) return '';
    body.querySelectorAll('[translate="no"], code, script, style, textarea, datalist, input, canvas, .chart').forEach((e) => e.remove());
    const parts: string[] = [];
    const walk = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n !== null; n = walk.nextNode()) parts.push(n.textContent ?? '');
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

/** Goes to a page and waits until it has drawn (no loading indicator left). */
async function open(page: Page, name: string, query = ''): Promise<void> {
  await page.evaluate(([n, q]) => (location.hash = `#/${n}${q}`), [name, query]);
  await page.waitForFunction(
    (n) => location.hash.startsWith(`#/${n}`) && document.querySelector('#page h2') !== null && document.querySelector('#loading') === null && document.querySelector('#page .loading') === null,
    name,
  );
}

test('console for merchants: no English in zh and no Chinese in en on every page, period filter, segment builder, phone layout, loading and empty states', { skip }, async () => {
  const s = await sandbox();
  const g = await generate({ members: 900, days: 420, seed: 'merchant', out: join(s.dir, 'gen'), start: '2024-01-01' });
  for (const stem of ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events']) await s.import(g.files[stem]?.path ?? '');
  await refresh(s.db, clock);
  await createSegment(s.ops, clock, '高价值老客', parseRule({ kind: 'lifecycle', stages: ['Regular', 'Fan'] }));
  await rewards(s);
  // Customer models: fitted with a holdout (for the validation chart) and every member scored.
  await fitModel(s.db, clock, 'bgnbd', '2024-11-30', 'week');
  await scoreMembers(s.db, clock, defaultScoreSettings('2024-11-30'));
  const { key } = await createKey(s.ops, clock, 'admin', 'browser test');
  const browser: Browser = await chromium.launch({ executablePath: 'path' in found ? found.path : '', args: CHROMIUM_FLAGS });
  const server = await serve(s.ops, s.db, clock, { port: 0, host: '127.0.0.1', rejectsDir: join(s.dir, 'rejects') });
  const shots = join(ROOT, 'docs', 'screenshots');
  mkdirSync(shots, { recursive: true });
  try {
    const errors: string[] = [];
    const newPage = async (lang: 'zh' | 'en', width: number, height: number): Promise<Page> => {
      const page = await browser.newPage({ viewport: { width, height } });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(
        (o: { lang: string; key: string }) => {
          localStorage.setItem('regulars.lang', o.lang);
          localStorage.setItem('regulars.key', o.key);
        },
        { lang, key },
      );
      await page.goto(`${server.url}/#/overview`);
      await page.waitForSelector('#page h2');
      return page;
    };

    // 1. Every page in Chinese without English words (bar data and the abbreviations Chinese users use), and in English without Chinese.
    for (const lang of ['zh', 'en'] as const) {
      const page = await newPage(lang, 1440, 900);
      for (const p of PAGES) {
        await open(page, p);
        if (p === 'members') {
          await page.fill(
            '#member-q',
            String(
              (await s.db.one("SELECT right(value, 4) AS v FROM identities WHERE kind = 'phone' AND member_id IN (SELECT member_id FROM order_values WHERE is_purchase) ORDER BY value LIMIT 1"))?.[
                'v'
              ],
            ),
          );
          await page.click('#member-search');
          await page.waitForSelector('#member-results table, #member-profile h3');
          await page.locator('#member-results tbody tr').first().click();
          await page.waitForSelector('#member-card');
        }
        if (p === 'segments') await page.waitForSelector('#seg-preview table');
        if (p === 'review') {
          // The review worded in the page's language, its money through the formatter (currency symbol, 万 in zh, K in en).
          const sales = (await page.textContent('#review-sales')) ?? '';
          assert.match(sales, lang === 'zh' ? /^销售额 ¥[\d.]+万：比上期 [+−][\d.]+%/ : /^Gross sales were CN¥[\d.]+K: [+−][\d.]+% against the previous period/, sales);
          assert.ok((await page.locator('#page table').count()) > 0, 'the biggest movers');
        }
        if (p === 'products' || p === 'service') await page.waitForSelector('#page canvas');
        const text = await words(page);
        if (lang === 'zh') {
          const english = (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !KEPT.has(w));
          assert.deepEqual([...new Set(english)], [], `${p} (zh) shows English: ${text.slice(0, 400)}`);
        } else {
          const chinese = text.match(/[\u4e00-\u9fff]+/g) ?? [];
          assert.deepEqual(
            [...new Set(chinese)].filter((w) => w !== '中文'),
            [],
            `${p} (en) shows Chinese`,
          );
        }
        await page.waitForTimeout(200); // charts finish drawing before the picture
        await page.screenshot({ path: join(shots, `${p}-${lang}.png`), fullPage: true });
      }
      await page.close();
    }

    // 2. The period filter changes the figures on Overview and Seven links.
    const page = await newPage('en', 1440, 900);
    for (const [p, sel] of [
      ['overview', '.cards'],
      ['links', '#page table'],
    ] as const) {
      await open(page, p, '?period=month');
      const month = (await page.textContent(sel)) ?? '';
      const monthRange = (await page.textContent('#page h2')) ?? '';
      await page.selectOption('#f-period', 'week');
      await page.waitForFunction((m) => location.hash.includes('period=week') && document.querySelector('#loading') === null && document.querySelector('#page h2')?.textContent !== m, monthRange);
      await page.waitForSelector(sel);
      const week = (await page.textContent(sel)) ?? '';
      assert.notEqual(week, month, `${p}: a week shows other figures than a month`);
      await page.selectOption('#f-period', 'quarter');
      await page.waitForFunction(() => location.hash.includes('period=quarter') && document.querySelector('#loading') === null);
      await page.waitForSelector(sel);
      assert.notEqual((await page.textContent(sel)) ?? '', month, `${p}: a quarter shows other figures than a month`);
    }

    // 2b. The member profile of the member with the most points shows the balance and the tier.
    const richest = (await pointsReport(s.ops, 'main', clock.now())).top[0]?.member_id ?? '';
    const config = await loadProgramme(s.ops, 'main');
    assert.ok(config !== undefined);
    const account = (await memberLoyalty(s.ops, config, richest, clock.now())).account;
    assert.ok(account !== null && Number(account.balance) > 0, 'the member holds points');
    await open(page, 'members');
    await page.fill('#member-q', richest);
    await page.click('#member-search');
    await page.waitForSelector('#loyalty-card');
    assert.equal((await page.textContent('#loyalty-card [data-fact="balance"] .value'))?.trim(), new Intl.NumberFormat('en-US').format(Number(account.balance)));
    assert.equal((await page.textContent('#loyalty-card [data-fact="tier"] .value'))?.trim(), account.tier_name);
    assert.ok((await page.locator('#member-coupons tbody tr').count()) >= 1, "the member's coupons");
    assert.ok((await page.locator('#member-loyalty tbody tr').count()) >= 1, 'expiring points and the latest movements');

    // 3. The segment builder: pickers from the data, "did you mean", preview, unique names, one save per click.
    await open(page, 'segments');
    await page.click('#seg-new');
    await page.selectOption('#seg-kind-0', 'bought');
    const categories = await page.$$eval('#seg-0-category-values option', (os) => os.map((o) => o.getAttribute('value') ?? ''));
    const top = String((await s.db.one("SELECT trim(split_part(category_path, '>', 1)) AS c FROM products GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"))?.['c']);
    assert.ok(categories.includes(top), `the category picker offers the data's categories (${categories.join(', ')})`);
    await page.fill('#seg-0-category', top.toLowerCase());
    await page.waitForSelector(`#seg-hints [data-suggestion="${top}"]`);
    assert.equal(await page.getAttribute('#seg-members', 'data-members'), '0', 'matching stays exact: the lower-case value matches nothing');
    await page.click('#seg-hints .use-suggestion');
    const asOf = await page.inputValue('#f-as-of');
    const n = await countSegment(s.db, parseRule({ kind: 'bought', category: top }), asOf);
    assert.ok(n > 0);
    await page.waitForFunction((x) => document.querySelector('#seg-members')?.getAttribute('data-members') === String(x), n);
    await page.waitForSelector('#seg-preview table');
    assert.equal(await page.locator('#seg-preview tbody tr').count(), Math.min(50, n), 'the first 50 members');
    assert.match((await page.textContent('#seg-share')) ?? '', /%/);
    assert.ok((await page.locator('#seg-reachable .reach').count()) > 0, 'reachable members per channel');
    await page.fill('#seg-name', ' 高价值老客 ');
    await page.click('#seg-save');
    await page.waitForFunction(() => (document.querySelector('#seg-msg')?.textContent ?? '').includes('already exists'));
    await page.fill('#seg-name', 'Category buyers');
    await page.click('#seg-save');
    await page.click('#seg-save', { force: true, trial: false }).catch(() => undefined);
    await page.waitForFunction(() => document.querySelector('#seg-title')?.textContent?.startsWith('Category buyers') === true);
    assert.equal(Number((await s.ops.one("SELECT count(*) AS n FROM segments WHERE name = 'Category buyers'"))?.['n']), 1, 'one segment for two clicks');

    // 4. Loading and empty states: a slow API shows the loading indicator; a date before the data says what to do.
    await page.route('**/api/reports/**', async (route) => {
      await new Promise((r) => setTimeout(r, 600));
      await route.continue();
    });
    await page.evaluate(() => (location.hash = '#/lifecycle?period=month'));
    await page.waitForSelector('#loading');
    await page.waitForSelector('#page canvas');
    await page.unroute('**/api/reports/**');
    await open(page, 'overview', '?as_of=2023-06-30&period=month');
    await page.waitForSelector('[data-empty]');
    assert.match((await page.textContent('[data-empty]')) ?? '', /import orders/i);
    await open(page, 'review', '?as_of=2023-06-30&period=week');
    await page.waitForSelector('[data-empty]');
    assert.match((await page.textContent('[data-empty]')) ?? '', /import orders/i);
    await open(page, 'campaigns');
    await page.waitForSelector('[data-empty]');
    await page.close();

    // 5. A phone (390 x 844): the menu folds away and no page is wider than the screen.
    const phone = await newPage('zh', 390, 844);
    const navHeight = await phone.evaluate(() => document.querySelector('header')?.getBoundingClientRect().height ?? 0);
    assert.ok(navHeight < 844 / 6, `the header is small on a phone (${navHeight}px)`);
    for (const p of PAGES) {
      await open(phone, p);
      if (p === 'segments') await phone.waitForSelector('#seg-preview table');
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${p} is ${width}px wide on a 390px screen`);
    }
    await phone.click('#menu');
    await phone.waitForSelector('nav.open a[data-page="rfm"]');
    await phone.screenshot({ path: join(shots, 'phone-menu-zh.png') });
    await open(phone, 'overview');
    await phone.screenshot({ path: join(shots, 'phone-overview-zh.png'), fullPage: true });
    await phone.close();
    assert.deepEqual(errors, [], 'no errors in the browser console');
  } finally {
    await browser.close();
    await server.close();
    s.close();
  }
});
