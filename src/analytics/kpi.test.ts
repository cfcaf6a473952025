import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Rng } from '../core/random.js';
import { generate } from '../generate/index.js';
import { clock, sandbox } from '../testing/index.js';
import { analyze } from './index.js';
import { decompose } from './kpi.js';

const cents = (s: string): number => Math.round(Number(s) * 100);

test('LMDI: contributions follow L(V1, V0) ln(x1/x0), add up to the change exactly, absent branches contribute all', () => {
  const base = new Map([
    ['all\u0000returning', { buyers: 10, orders: 20, gross: 10000000n }],
    ['all\u0000guest', { buyers: 3, orders: 3, gross: 1234500n }],
  ]);
  const current = new Map([
    ['all\u0000returning', { buyers: 12, orders: 30, gross: 18000000n }],
    ['all\u0000new', { buyers: 1, orders: 1, gross: 99990n }],
  ]);
  const d = decompose(base, current);
  // 1000.00 -> 1800.00 (returning), 0 -> 9.999 (new appeared), 123.45 -> 0 (guest disappeared).
  assert.equal(d.total, '686.55'); // 800.00 + 9.999 - 123.45 = 686.549, rounded to cents
  assert.equal(d.sum, d.total);
  const r = d.branches.find((b) => b.branch === 'returning');
  const l = (180000 - 100000) / Math.log(180000 / 100000);
  assert.ok(Math.abs(cents(r?.contributions['buyers'] ?? '0') - l * Math.log(1.2)) <= 1);
  assert.ok(Math.abs(cents(r?.contributions['orders_per_buyer'] ?? '0') - l * Math.log(1.25)) <= 1);
  assert.ok(Math.abs(cents(r?.contributions['average_order_value'] ?? '0') - l * Math.log(1.2)) <= 1);
  assert.deepEqual(d.branches.find((b) => b.branch === 'new')?.contributions, { appeared: '10.00' });
  assert.deepEqual(d.branches.find((b) => b.branch === 'guest')?.contributions, { disappeared: '-123.45' });
});

test('property: over random periods of generated data the contributions add up to the change to the cent', async () => {
  const s = await sandbox();
  try {
    const g = await generate({ members: 1500, days: 730, seed: 'kpi', out: join(s.dir, 'gen'), start: '2023-01-01' });
    for (const stem of ['orders', 'order_lines']) await s.import(g.files[stem]?.path ?? '');
    const rng = new Rng('periods');
    for (let i = 0; i < 25; i++) {
      const start = rng.int(380, 700);
      const len = rng.int(1, 60);
      const day = (n: number): string => new Date(Date.parse('2023-01-01T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
      const by = rng.pick(['all', 'channel', 'store'] as const);
      const doc = await analyze(s.db, clock, 'kpi', { from: day(start), to: day(Math.min(729, start + len)), by });
      for (const c of doc.result['comparisons'] as Array<Record<string, unknown>>) {
        assert.equal(c['sum'], c['total'], `${day(start)} +${len} by ${by} against ${String(c['against'])}`);
        const branches = c['branches'] as Array<{ change: string; contributions: Record<string, string> }>;
        const exact = branches.reduce((a, b) => a + Math.round(Number(b.change) * 10000), 0);
        assert.equal(cents(String(c['total'])), Math.round(exact / 100), 'the total is the exact change rounded to cents');
        for (const b of branches) {
          const sum = Object.values(b.contributions).reduce((a, v) => a + cents(v), 0);
          assert.ok(Math.abs(sum - Number(b.change) * 100) <= 3, 'each branch adds up within rounding');
        }
      }
    }
  } finally {
    s.close();
  }
});
