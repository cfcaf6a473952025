import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath, CHROMIUM_FLAGS, clock, sandbox } from '../testing/index.js';
import { createKey, serve } from './index.js';

// A new, empty database in Debian's Chromium: every report page says what to do instead of drawing
// a blank or broken chart, in both languages; loading and error states look the same on every page.
const found = chromiumPath();
const skip = 'skip' in found ? found.skip : false;
const EMPTY: Array<{ page: string; en: RegExp; zh: RegExp }> = [
  { page: 'overview', en: /import orders/i, zh: /导入订单/ },
  { page: 'review', en: /import orders/i, zh: /导入订单/ },
  { page: 'links', en: /import orders and behaviour events/i, zh: /导入订单和行为事件/ },
  { page: 'repeat', en: /Import orders/, zh: /导入订单/ },
  { page: 'lifecycle', en: /import members and orders/i, zh: /导入会员和订单/ },
  { page: 'rfm', en: /import orders/i, zh: /导入订单/ },
  { page: 'products', en: /import products, orders and view events/i, zh: /导入商品、订单和浏览事件/ },
  { page: 'service', en: /import inquiry events/i, zh: /导入咨询事件/ },
  { page: 'settings', en: /No targets yet/, zh: /还没有目标/ },
];

async function open(page: Page, name: string): Promise<void> {
  await page.evaluate((n) => (location.hash = `#/${n}?period=month`), name);
  await page.waitForFunction((n) => location.hash.startsWith(`#/${n}`) && document.querySelector('#page h2') !== null && document.querySelector('#loading') === null, name);
}

test('console on an empty database: each page says what to do; loading and error states', { skip }, async () => {
  const s = await sandbox();
  const { key } = await createKey(s.ops, clock, 'admin', 'browser test');
  const analyst = await createKey(s.ops, clock, 'analyst', 'browser test');
  const browser: Browser = await chromium.launch({ executablePath: 'path' in found ? found.path : '', args: CHROMIUM_FLAGS });
  const server = await serve(s.ops, s.db, clock, { port: 0, host: '127.0.0.1', rejectsDir: join(s.dir, 'rejects') });
  try {
    const errors: string[] = [];
    const newPage = async (lang: 'zh' | 'en', k: string): Promise<Page> => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(
        (o: { lang: string; key: string }) => {
          localStorage.setItem('regulars.lang', o.lang);
          localStorage.setItem('regulars.key', o.key);
        },
        { lang, key: k },
      );
      await page.goto(`${server.url}/#/overview`);
      await page.waitForSelector('#page h2');
      return page;
    };
    for (const lang of ['en', 'zh'] as const) {
      const page = await newPage(lang, key);
      for (const e of EMPTY) {
        await open(page, e.page);
        await page.waitForSelector('[data-empty]');
        const said = (await page.textContent('[data-empty]')) ?? '';
        assert.match(said, e[lang], `${e.page} (${lang}): ${said}`);
        // No chart drawn from nothing (settings has none; the others stop at the empty state).
        assert.equal(await page.locator('#page canvas').count(), 0, `${e.page} (${lang}) draws no chart on an empty database`);
      }
      await page.close();
    }

    // Loading: a slow report shows the indicator on the new pages as on the others; an error shows the server's message and a retry.
    const page = await newPage('en', key);
    for (const p of ['links', 'review', 'products', 'service']) {
      await page.route('**/api/reports/**', async (route) => {
        await new Promise((r) => setTimeout(r, 500));
        await route.continue();
      });
      await page.evaluate((n) => (location.hash = `#/${n}?period=week`), p);
      await page.waitForSelector('#loading');
      await page.waitForSelector('[data-empty]');
      await page.unroute('**/api/reports/**');
      await page.route('**/api/reports/**', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'busy', message: 'The server is busy.' }) }));
      await page.evaluate((n) => (location.hash = `#/${n}?period=quarter`), p);
      await page.waitForSelector('#page-error');
      assert.match((await page.textContent('#page-error')) ?? '', /The server is busy\./, `${p}: the server's message`);
      await page.unroute('**/api/reports/**');
      await page.click('#retry');
      await page.waitForSelector('[data-empty]');
    }
    await page.close();

    // Settings for a key that may not manage keys says so, instead of an empty heading.
    const reader = await newPage('zh', analyst.key);
    await open(reader, 'settings');
    assert.match((await reader.textContent('#keys-admin-only')) ?? '', /管理员/);
    await reader.close();
    assert.deepEqual(errors, [], 'no errors in the browser console');
  } finally {
    await browser.close();
    await server.close();
    s.close();
  }
});
