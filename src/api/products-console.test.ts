import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { chromiumPath, CHROMIUM_FLAGS, clock, sandbox } from '../testing/index.js';
import { generate } from '../generate/index.js';
import { analyze } from '../analytics/index.js';
import { createKey, serve } from './index.js';

const found = chromiumPath();
const skip = 'skip' in found ? found.skip : false;

test('console: the products page draws the matrix and bundles, the service page the league table, from the API', { skip }, async () => {
  const s = await sandbox();
  const g = await generate({ members: 1500, days: 400, seed: 'console', out: join(s.dir, 'gen'), start: '2024-01-01' });
  for (const stem of ['products', 'orders', 'order_lines', 'events']) await s.import(g.files[stem]?.path ?? '');
  const { key } = await createKey(s.ops, clock, 'admin', 'browser test');
  const browser = await chromium.launch({ executablePath: 'path' in found ? found.path : '', args: CHROMIUM_FLAGS });
  const server = await serve(s.ops, s.db, clock, { port: 0, host: '127.0.0.1', rejectsDir: join(s.dir, 'rejects') });
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#key=${key}`);
    await page.waitForSelector('.card');
    // The console's custom period set to the report's default period (the 28 days to the last purchase).
    const matrix = await analyze(s.db, clock, 'matrix', {});
    const period = matrix.result['period'] as { from: string; to: string };
    const first = (matrix.result['products'] as Array<Record<string, unknown>>)[0];
    await page.evaluate((p) => (location.hash = `#/products?period=custom&from=${p.from}&to=${p.to}`), period);
    await page.waitForSelector('#page canvas');
    await page.waitForFunction(() => document.querySelectorAll('#page table').length >= 3);
    assert.match((await page.textContent('#page h2')) ?? '', /Product matrix/);
    assert.ok((await page.textContent('#page table'))?.includes(String(first?.['sku'])), 'the best-selling product of the API is in the table');
    const service = await analyze(s.db, clock, 'service', {});
    const top = (service.result['agents'] as Array<Record<string, unknown>>)[0];
    await page.click('nav a[data-page="service"]');
    await page.waitForFunction(() => document.querySelector('#page h2')?.textContent?.startsWith('Customer service') === true && document.querySelector('#page canvas') !== null);
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(top?.['sales']));
    const row = (await page.locator('#page tbody tr').first().textContent()) ?? '';
    assert.ok(row.includes(String(top?.['agent'])) && row.includes(money), `the top agent's sales as the API gives them, formatted (${money}): ${row}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
    s.close();
  }
});
