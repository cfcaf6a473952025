import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { clock, datasets, parseCsv, sandbox } from '../testing/index.js';
import { analyze } from './index.js';

const retail = datasets('online-retail/online_retail.csv.gz');

/**
 * The 45-day second-purchase rate by monthly cohort and the RFM buyer count on Online Retail,
 * computed twice: by the SQL analytics over the member base, and by plain TypeScript over the
 * raw file rows (an independent path sharing no code with the importer).
 */
test('Online Retail: second-purchase rate by cohort and RFM buyers match an independent computation', { skip: 'skip' in retail ? retail.skip : false }, async () => {
  if (!('path' in retail)) return;
  const asOf = '2011-12-09';
  // Independent path: purchases = non-C invoices with a customer and product value > 0; occasions per day.
  const NON_PRODUCT = new Set(['POST', 'DOT', 'C2', 'M', 'm', 'D', 'S', 'B', 'BANK CHARGES', 'AMAZONFEE', 'CRUK']);
  const rows = parseCsv(gunzipSync(readFileSync(retail.path)).toString('utf8'));
  const header = rows[0] ?? [];
  const col = (name: string): number => header.indexOf(name);
  const [inv, code, qty, date, price, cust] = ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'].map(col);
  const value = new Map<string, { customer: string; day: string; cents: bigint }>();
  for (const r of rows.slice(1)) {
    const invoice = r[inv ?? 0] ?? '';
    const customer = (r[cust ?? 0] ?? '').replace(/\.0+$/, '');
    if (invoice.startsWith('C') || customer === '') continue;
    const q = BigInt(r[qty ?? 0] ?? '0');
    const sku = (r[code ?? 0] ?? '').trim();
    if (NON_PRODUCT.has(sku) || q < 0n) continue;
    // Prices have up to 3 decimals: work in thousandths of a unit, exactly.
    const [units = '0', frac = ''] = (r[price ?? 0] ?? '0').split('.');
    const milli = BigInt(units) * 1000n + BigInt(frac.padEnd(3, '0').slice(0, 3));
    const prev = value.get(invoice);
    const day = (r[date ?? 0] ?? '').slice(0, 10);
    value.set(invoice, { customer, day: prev === undefined || day < prev.day ? day : prev.day, cents: (prev?.cents ?? 0n) + q * milli });
  }
  const occasions = new Map<string, Set<string>>();
  for (const v of value.values()) {
    if (v.cents <= 0n) continue;
    const set = occasions.get(v.customer) ?? new Set<string>();
    set.add(v.day);
    occasions.set(v.customer, set);
  }
  const dayNumber = (d: string): number => Date.parse(`${d}T00:00:00Z`) / 86400000;
  const cohorts = new Map<string, { n: number; second: number }>();
  for (const days of occasions.values()) {
    const sorted = [...days].sort();
    const first = sorted[0] ?? '';
    const c = cohorts.get(first.slice(0, 7)) ?? { n: 0, second: 0 };
    c.n++;
    if (sorted.some((d) => dayNumber(d) - dayNumber(first) >= 1 && dayNumber(d) - dayNumber(first) <= 45)) c.second++;
    cohorts.set(first.slice(0, 7), c);
  }
  const windowStart = dayNumber(asOf) - 364;
  const buyers = [...occasions.values()].filter((days) => [...days].some((d) => dayNumber(d) >= windowStart)).length;

  const s = await sandbox();
  try {
    await s.import(retail.path, { preset: 'online-retail' });
    const repeat = await analyze(s.db, clock, 'repeat', { asOf, period: 'month' });
    const shown = repeat.result['second_purchase'] as Array<Record<string, unknown>>;
    assert.ok(shown.length >= 10, 'cohorts whose 45 days have passed');
    for (const c of shown) {
      const mine = cohorts.get(String(c['cohort']).slice(0, 7));
      assert.ok(mine !== undefined, String(c['cohort']));
      assert.deepEqual([Number(c['new_buyers']), Number(c['second_buyers'])], [mine.n, mine.second], String(c['cohort']));
    }
    assert.equal(shown[0]?.['cohort'], '2010-12-01');
    assert.equal(shown[0]?.['left_censored'], true);
    const rfm = await analyze(s.db, clock, 'rfm', { asOf });
    assert.equal(Number((rfm.result['totals'] as Record<string, unknown>)['buyers']), buyers);
  } finally {
    s.close();
  }
});
