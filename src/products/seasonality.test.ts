import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clock, sandbox } from '../testing/index.js';
import { analyze } from '../analytics/index.js';
import { generate } from '../generate/index.js';
import { fullYears } from './seasonality.js';

async function scenario(): Promise<Awaited<ReturnType<typeof sandbox>>> {
  const s = await sandbox();
  await s.import(s.write('products.csv', ['sku,name,category_path,brand', 'A,Alpha,Tea > Green,Acme', 'B,Beta,Tea > Black,Bolt'].join('\n')));
  await s.import(
    s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,paid_at,status',
        'web,o1,m1,2022-01-01 10:00:00,2022-01-01 10:00:00,paid',
        'web,o2,m1,2022-07-10 10:00:00,2022-07-10 10:00:00,paid',
        'web,o3,m2,2023-01-20 10:00:00,2023-01-20 10:00:00,paid',
        'web,o4,m2,2024-01-10 10:00:00,2024-01-10 10:00:00,paid', // after the full years: not counted
      ].join('\n'),
    ),
  );
  await s.import(
    s.write(
      'order_lines.csv',
      ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,A,1,100.00', 'web,o2,1,A,2,100.00', 'web,o3,1,A,3,100.00', 'web,o3,2,B,1,12.00', 'web,o4,1,A,1,999.00'].join('\n'),
    ),
  );
  return s;
}

test('full years: calendar years and ISO years wholly inside the data', () => {
  assert.deepEqual(fullYears('2022-01-01', '2024-01-15', 'month'), [2022, 2023]);
  assert.deepEqual(fullYears('2022-01-02', '2024-01-15', 'month'), [2023]);
  // ISO 2022 runs 2022-01-03..2023-01-01, ISO 2023 2023-01-02..2023-12-31.
  assert.deepEqual(fullYears('2022-01-01', '2024-01-15', 'week'), [2022, 2023]);
  assert.deepEqual(fullYears('2022-01-04', '2023-12-31', 'week'), [2023]);
});

test('seasonal index: mean sales in the month over the full years / mean monthly sales; fewer than two full years is said, not guessed', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'seasonality', { asOf: '2024-01-15' });
    const r = doc.result;
    assert.equal(r['available'], true);
    assert.deepEqual(r['years'], [2022, 2023]);
    const rows = r['rows'] as Array<Record<string, unknown>>;
    const of = (dim: string, value: string, k: number): Record<string, unknown> | undefined => rows.find((x) => x['dimension'] === dim && x['value'] === value && x['period_no'] === k);
    // Tea (A and B): Jan 2022 100, Jul 2022 200, Jan 2023 312; 612 over 24 months = 25.5 a month.
    // January: (100 + 312) / 2 = 206 -> 206 / 25.5 = 8.0784; July: 100 / 25.5 = 3.9216; March: 0.
    assert.deepEqual([of('category', 'Tea', 1)?.['mean_sales'], of('category', 'Tea', 1)?.['seasonal_index']], ['206.0000', 8.0784]);
    assert.deepEqual([of('category', 'Tea', 7)?.['mean_sales'], of('category', 'Tea', 7)?.['seasonal_index']], ['100.0000', 3.9216]);
    assert.equal(of('category', 'Tea', 3)?.['seasonal_index'], 0);
    assert.equal(rows.filter((x) => x['value'] === 'Tea').length, 12);
    // Brand Bolt: 12.00 in Jan 2023 only: January (0 + 12) / 2 = 6 over 0.5 a month = 12.
    assert.equal(of('brand', 'Bolt', 1)?.['seasonal_index'], 12);
    const short = await analyze(s.db, clock, 'seasonality', { asOf: '2023-12-30' });
    assert.equal(short.result['available'], false);
    assert.equal(short.result['reason'], 'a seasonal index needs at least two full calendar years; the data (2022-01-01..2023-12-30) holds 1 (2022)');
    assert.deepEqual(short.result['rows'], []);
  } finally {
    s.close();
  }
});

test('seasonality on generated demo data: month and ISO-week indexes average to 1 per category and brand', async () => {
  const s = await sandbox();
  try {
    const g = await generate({ members: 800, days: 800, seed: 'season', out: join(s.dir, 'gen'), start: '2023-01-01' });
    for (const stem of ['products', 'orders', 'order_lines']) await s.import(g.files[stem]?.path ?? '');
    for (const period of ['month', 'week'] as const) {
      const doc = await analyze(s.db, clock, 'seasonality', { asOf: '2025-03-10', period });
      assert.equal(doc.result['available'], true, period);
      assert.deepEqual(doc.result['years'], [2023, 2024]);
      const rows = doc.result['rows'] as Array<Record<string, unknown>>;
      const groups = new Map<string, number[]>();
      for (const x of rows) groups.set(`${String(x['dimension'])}:${String(x['value'])}`, [...(groups.get(`${String(x['dimension'])}:${String(x['value'])}`) ?? []), Number(x['seasonal_index'])]);
      assert.ok(groups.size > 3);
      // ISO 2023 and 2024 both have 52 weeks; each index is rounded to 4 places.
      for (const [k, xs] of groups) {
        assert.equal(xs.length, period === 'month' ? 12 : 52, k);
        assert.ok(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 1) < 0.0001, `${period} ${k}`);
      }
    }
  } finally {
    s.close();
  }
});
