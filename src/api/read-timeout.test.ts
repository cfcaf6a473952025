/** Reads have a time limit: a read that holds the analytical store too long is stopped with 503, and the server goes on serving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { buildApp, createKey } from './index.js';

test('a read past the time limit is interrupted and answered 503; the next read is served', async () => {
  const s = await sandbox();
  try {
    const orders = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        channel: 'web',
        order_id: `o${i}`,
        buyer_id: `b${i % 60}`,
        created_at: `2025-0${(i % 9) + 1}-1${i % 10} 10:00:00`,
        paid_at: `2025-0${(i % 9) + 1}-1${i % 10} 10:05:00`,
        status: 'paid',
      }),
    );
    await s.import(s.write('orders.ndjson', orders.join('\n')), { entity: 'orders' });
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ channel: 'web', order_id: `o${i}`, line_no: 1, sku: `S${i % 7}`, quantity: 1, unit_price: '20.00' }));
    await s.import(s.write('lines.ndjson', lines.join('\n')), { entity: 'order_lines' });
    const { key } = await createKey(s.ops, clock, 'analyst', 'reader');
    const h = { authorization: `Bearer ${key}` };
    const hasty = await buildApp({ ops: s.ops, db: s.db, clock, readTimeoutMs: 1 });
    try {
      const r = await hasty.inject({ url: '/api/reports/kpi?as_of=2025-09-30', headers: h });
      assert.equal(r.statusCode, 503, r.body);
      assert.equal(r.json().error, 'read_timeout');
      assert.match(r.json().message, /REGULARS_READ_TIMEOUT_SECONDS/);
    } finally {
      await hasty.close();
    }
    const patient = await buildApp({ ops: s.ops, db: s.db, clock });
    try {
      const r = await patient.inject({ url: '/api/reports/kpi?as_of=2025-09-30', headers: h });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().report, 'kpi');
    } finally {
      await patient.close();
    }
  } finally {
    s.close();
  }
});
