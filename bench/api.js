#!/usr/bin/env node
// HTTP API benchmark: latency of the overview (KPI tree and seven links, as stored by refresh)
// and of the member profile through a real listening server, against /api/health measured in
// the same run; and ingestion throughput of batched orders against the CLI import of the same
// rows. Data from the generator, kept in .bench/ between runs.
//   node bench/api.js [--members 1000000] [--requests 200] [--concurrency 4]
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRegulars, openStores } from '../dist/open.js';
import { importFile } from '../dist/ingest/index.js';
import { refresh } from '../dist/analytics/index.js';
import { generate } from '../dist/generate/index.js';
import { systemClock } from '../dist/core/clock.js';
import { createKey, serve } from '../dist/api/index.js';
import { Rng } from '../dist/core/random.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const members = Number(arg('members', '1000000'));
const requests = Number(arg('requests', '200'));
const concurrency = Number(arg('concurrency', '4'));
const dir = join('.bench', `api-${members}`);
const dbFile = join(dir, 'regulars.duckdb');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (t) => ((performance.now() - t) / 1000).toFixed(1);
const STEMS = ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events'];

if (!existsSync(join(dir, 'ready'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let t = performance.now();
  const g = await generate({ members, days: 730, seed: 'bench-api', out: join(dir, 'gen'), start: '2024-01-01' });
  console.log(`generated ${fmt(members)} members: ${STEMS.map((s) => `${s} ${fmt(g.files[s].rows)}`).join(', ')} in ${secs(t)} s`);
  const db = await openRegulars(dbFile);
  t = performance.now();
  for (const s of STEMS) await importFile(db, systemClock, g.files[s].path, { rejectsDir: join(dir, 'rejects') });
  console.log(`imported in ${secs(t)} s`);
  t = performance.now();
  await refresh(db, systemClock);
  console.log(`refreshed in ${secs(t)} s`);
  db.close();
  writeFileSync(join(dir, 'ready'), 'ok\n');
}

const stores = await openStores(dbFile, null);
const { db, ops } = stores;
const cleanup = async () => {
  await db.run("DELETE FROM orders WHERE order_id LIKE 'BENCH%' OR order_id LIKE 'CLI%'");
  await ops.run("DELETE FROM api_keys WHERE name = 'bench'");
};
await cleanup();
const { key } = await createKey(ops, systemClock, 'admin', 'bench');
const server = await serve(ops, db, systemClock, { port: 0, host: '127.0.0.1', rejectsDir: join(dir, 'rejects'), workers: { schedulerSeconds: 0, loaderSeconds: 0 } });
const headers = { authorization: `Bearer ${key}` };
const counts = await db.one('SELECT (SELECT count(*) FROM members) AS m, (SELECT count(*) FROM order_lines) AS l');
console.log(`data: ${fmt(Number(counts.m))} members, ${fmt(Number(counts.l))} order lines; ${requests} requests per route, ${concurrency} at a time`);

async function latency(label, paths) {
  const times = [];
  let next = 0;
  async function worker() {
    while (next < paths.length) {
      const p = paths[next++];
      const t = performance.now();
      const r = await fetch(`${server.url}${p}`, { headers });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`${p}: ${r.status}`);
      times.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  times.sort((a, b) => a - b);
  const q = (x) => times[Math.min(times.length - 1, Math.floor(x * times.length))];
  console.log(`  ${label.padEnd(34)} p50 ${q(0.5).toFixed(1)} ms  p95 ${q(0.95).toFixed(1)} ms  p99 ${q(0.99).toFixed(1)} ms`);
  return q(0.95);
}

// Warm the stored reports once (the console reads them; refresh stored them).
for (const p of ['/api/reports/kpi', '/api/reports/links']) await fetch(`${server.url}${p}`, { headers });
const rng = new Rng('bench-api');
const ids = (await db.all('SELECT member_id FROM members USING SAMPLE 2000 ROWS')).map((r) => r.member_id);
const base = await latency(
  '/api/health (baseline)',
  Array.from({ length: requests }, () => '/api/health'),
);
const kpi = await latency(
  'overview: /api/reports/kpi',
  Array.from({ length: requests }, () => '/api/reports/kpi'),
);
const links = await latency(
  'overview: /api/reports/links',
  Array.from({ length: requests }, () => '/api/reports/links'),
);
const profile = await latency(
  'member profile /api/members/{id}',
  Array.from({ length: requests }, () => `/api/members/${rng.pick(ids)}`),
);
console.log(`  p95 ratios to the baseline: kpi ${(kpi / base).toFixed(1)}x, links ${(links / base).toFixed(1)}x, profile ${(profile / base).toFixed(1)}x (goal: p95 under 300 ms)`);

// Ingestion: batches of 1,000 new paid orders, against the CLI import of the same rows as one CSV file.
const batches = 20;
const orders = [];
for (let i = 0; i < batches * 1000; i++) {
  orders.push({
    channel: 'web',
    order_id: `BENCH${i}`,
    buyer_id: `bench-buyer-${i % 5000}`,
    created_at: '2025-12-30 10:00:00',
    paid_at: '2025-12-30 10:01:00',
    status: 'paid',
    item_total: '10.00',
    paid_amount: '10.00',
  });
}
let t = performance.now();
for (let b = 0; b < batches; b++) {
  const r = await fetch(`${server.url}/api/ingest/orders?mode=sync`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(orders.slice(b * 1000, (b + 1) * 1000)),
  });
  const body = await r.json();
  if (body.loaded !== 1000) throw new Error(`batch ${b}: ${JSON.stringify(body).slice(0, 300)}`);
}
const apiRate = orders.length / ((performance.now() - t) / 1000);
await server.close();
const cols = Object.keys(orders[0]);
const csv = join(dir, 'bench-orders.csv');
writeFileSync(csv, [cols.join(','), ...orders.map((o) => cols.map((c) => o[c]).join(','))].join('\n').replace(/BENCH/g, 'CLI'));
t = performance.now();
await importFile(db, systemClock, csv, { entity: 'orders', rejectsDir: join(dir, 'rejects') });
const cliRate = orders.length / ((performance.now() - t) / 1000);
console.log(`  ingestion: ${fmt(apiRate)} orders/s through the API in batches of 1,000; ${fmt(cliRate)} orders/s as one CSV through the CLI import (ratio ${(cliRate / apiRate).toFixed(1)}x)`);
// Leave the benchmark data as it was.
await cleanup();
await stores.close();
