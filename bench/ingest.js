#!/usr/bin/env node
// The operational core under load, all in one run on the same machine:
//  (a) ingestion through a listening server over a generated member base:
//      - single-record calls from 50 concurrent clients: acknowledged per second, p50/p99;
//      - batches of 100 records: acknowledged per second, against the CLI import of the same rows;
//      - the loader draining a pre-filled inbox, against the CLI import of the same rows;
//  (b) a two-statement transaction (an insert and an upsert) per request through the store
//      interface, 50 callers at a time, on SQLite and (with REGULARS_PG_URL) on PostgreSQL.
//   node bench/ingest.js [--members 100000] [--calls 20000] [--inbox 100000] [--tx 20000] [--server process|inline] [--rate 1000]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegulars, openStores } from '../dist/open.js';
import { importFile } from '../dist/ingest/index.js';
import { generate } from '../dist/generate/index.js';
import { systemClock } from '../dist/core/clock.js';
import { createKey, serve } from '../dist/api/index.js';
import { serveProcess } from '../dist/testing/processes.js';
import { loadPending } from '../dist/inbox/index.js';
import { openOps } from '../dist/ops/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const members = Number(arg('members', '100000'));
const calls = Number(arg('calls', '20000'));
const inboxSize = Number(arg('inbox', '100000'));
const txCount = Number(arg('tx', '20000'));
const dir = join('.bench', `ingest-${members}`);
const dbFile = join(dir, 'regulars.duckdb');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (t) => (performance.now() - t) / 1000;
const quantile = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const STEMS = ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events'];

if (!existsSync(join(dir, 'ready'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = await generate({ members, days: 730, seed: 'bench-ingest', out: join(dir, 'gen'), start: '2024-01-01' });
  const db = await openRegulars(dbFile);
  for (const s of STEMS) await importFile(db, systemClock, g.files[s].path, { rejectsDir: join(dir, 'rejects') });
  db.close();
  writeFileSync(join(dir, 'ready'), 'ok\n');
}

const order = (prefix, i) => ({
  channel: 'pos',
  order_id: `${prefix}${i}`,
  buyer_pos_card: `9${String(i % 50000).padStart(8, '0')}`,
  created_at: '2025-12-30 10:00:00',
  paid_at: '2025-12-30 10:01:00',
  status: 'paid',
  item_total: '10.5000',
  paid_amount: '10.5000',
});
const cols = Object.keys(order('X', 0));
const csvOf = (rows) => [cols.join(','), ...rows.map((o) => cols.map((c) => o[c]).join(','))].join('\n');

const stores = await openStores(dbFile, null);
const { db, ops } = stores;
const cleanup = async () => {
  await db.run("DELETE FROM orders WHERE order_id LIKE 'B0%' OR order_id LIKE 'B1%' OR order_id LIKE 'B2%' OR order_id LIKE 'B3%' OR order_id LIKE 'C2%' OR order_id LIKE 'C3%'");
  await db.run("DELETE FROM order_facts WHERE order_id LIKE 'B0%' OR order_id LIKE 'B1%' OR order_id LIKE 'B2%' OR order_id LIKE 'B3%' OR order_id LIKE 'C2%' OR order_id LIKE 'C3%'");
  await ops.run('DELETE FROM ingest_inbox');
  await ops.run('DELETE FROM ingest_history');
  await ops.run("DELETE FROM api_keys WHERE name = 'bench'");
};
await cleanup();
const base = await db.one('SELECT (SELECT count(*) FROM members) AS m, (SELECT count(*) FROM orders) AS o');
console.log(`member base: ${fmt(Number(base.m))} members, ${fmt(Number(base.o))} orders (generated, seed bench-ingest); ${process.env.REGULARS_MEMORY_LIMIT ?? 'default'} engine memory`);
const { key } = await createKey(ops, systemClock, 'pos', 'bench');
// The API answers from its own process, as tills reach it in production: `serve --role api` on the
// operational store beside the database file (the clients below run in this process). With
// --server inline the server shares this process (and its one event loop) with the clients.
const inline = arg('server', 'process') === 'inline';
const server = inline
  ? await serve(ops, db, systemClock, { port: 0, host: '127.0.0.1', rejectsDir: join(dir, 'rejects'), workers: { schedulerSeconds: 0, loaderSeconds: 0 } })
  : await serveProcess(['--db', dbFile, '--role', 'api'], { REGULARS_SCHEDULER_SECONDS: '0', REGULARS_LOADER_SECONDS: '0', REGULARS_PG_URL: '' });
const closeServer = () => (inline ? server.close() : server.stop());
console.log(inline ? 'server: in this process (--server inline)' : 'server: `regulars serve --role api` in its own process; clients in this one');
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

async function drive(n, concurrency, body) {
  const times = [];
  let next = 0;
  const t = performance.now();
  async function worker() {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      const r = await fetch(`${server.url}/api/ingest/orders`, { method: 'POST', headers, body: body(i) });
      const j = await r.json();
      if (r.status !== 200 || j.rejected > 0) throw new Error(`call ${i}: ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
      times.push(performance.now() - s);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = secs(t);
  times.sort((a, b) => a - b);
  return { seconds, rate: n / seconds, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/**
 * Open loop: `rate` calls a second for `seconds`, each sent at its due time whatever is in flight (each call due at its
 * time, latency counted from then, so a stall is not hidden by clients that wait for answers).
 */
async function atRate(rate, seconds, body) {
  const n = rate * seconds;
  const times = [];
  const pending = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; ) {
    const now = performance.now();
    for (; i < n && t0 + (i * 1000) / rate <= now; i++) {
      const due = t0 + (i * 1000) / rate;
      const k = i;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      pending.push(
        fetch(`${server.url}/api/ingest/orders`, { method: 'POST', headers, body: body(k) }).then(async (r) => {
          const j = await r.json();
          if (r.status !== 200 || j.rejected > 0) throw new Error(`call ${k}: ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
          times.push(performance.now() - due);
          inFlight--;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const elapsed = secs(t0);
  times.sort((a, b) => a - b);
  return { rate: n / elapsed, p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1], maxInFlight };
}

// (a0) single records at the goal's rate, open loop.
// Two seconds at the same rate first, not counted: a server just started compiles its code paths
// and opens its connections during its first second (a stall of most of a second, seen cold).
const goalRate = Number(arg('rate', '1000'));
await atRate(goalRate, 2, (i) => JSON.stringify(order('B0W', i)));
const paced = await atRate(goalRate, 15, (i) => JSON.stringify(order('B0', i)));
console.log(
  `single-record calls at ${fmt(goalRate)}/s for 15 s (open loop, latency from each call's due time, after 2 s of warm-up): ${fmt(paced.rate)}/s acknowledged; p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms, max ${paced.max.toFixed(1)} ms; at most ${paced.maxInFlight} in flight (goal 1,000/s, p99 < 50 ms)`,
);

// (a1) single records, 50 clients each sending its next call when answered: the most it takes.
const single = await drive(calls, 50, (i) => JSON.stringify(order('B1', i)));
console.log(
  `single-record calls, 50 clients as fast as answered: ${fmt(calls)} calls in ${single.seconds.toFixed(1)} s = ${fmt(single.rate)}/s acknowledged; p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms (goal 1,000/s, p99 < 50 ms)`,
);

// (a2) batches of 100, 10 clients, against the CLI import of the same rows.
const batchRows = Array.from({ length: calls }, (_, i) => order('B2', i));
const batched = await drive(calls / 100, 10, (b) => JSON.stringify(batchRows.slice(b * 100, (b + 1) * 100)));
const batchRate = calls / batched.seconds;
await closeServer();
const csv2 = join(dir, 'bench-c2.csv');
writeFileSync(csv2, csvOf(batchRows.map((o) => ({ ...o, order_id: o.order_id.replace('B2', 'C2') }))));
let t = performance.now();
await importFile(db, systemClock, csv2, { entity: 'orders', rejectsDir: join(dir, 'rejects') });
const cli2 = calls / secs(t);
console.log(
  `batches of 100, 10 clients: ${fmt(batchRate)} records/s acknowledged (p99 ${batched.p99.toFixed(1)} ms a batch); CLI import of the same ${fmt(calls)} rows: ${fmt(cli2)}/s; ratio ${(batchRate / cli2).toFixed(2)} (goal at least 0.5)`,
);

// (a3) the loader draining a pre-filled inbox, against the CLI import of the same rows.
const inboxRows = Array.from({ length: inboxSize }, (_, i) => order('B3', i));
const fill = performance.now();
await ops.run('DELETE FROM ingest_inbox');
for (let i = 0; i < inboxRows.length; i += 500) {
  const part = inboxRows.slice(i, i + 500);
  await ops.transaction(async (tx) => {
    for (const o of part) {
      const content = JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
      await tx.run("INSERT INTO ingest_inbox (entity, natural_key, version, content, state, received_at, updated_at) VALUES ('orders', ?, 1, ?, 'pending', ?, ?)", [
        JSON.stringify([o.channel, o.order_id]),
        content,
        new Date().toISOString(),
        new Date().toISOString(),
      ]);
    }
  });
}
console.log(`inbox filled with ${fmt(inboxSize)} orders in ${secs(fill).toFixed(1)} s`);
t = performance.now();
const drained = await loadPending(db, ops, systemClock, { rejectsDir: join(dir, 'rejects') });
const loaderRate = drained.loaded / secs(t);
const csv3 = join(dir, 'bench-c3.csv');
writeFileSync(csv3, csvOf(inboxRows.map((o) => ({ ...o, order_id: o.order_id.replace('B3', 'C3') }))));
t = performance.now();
await importFile(db, systemClock, csv3, { entity: 'orders', rejectsDir: join(dir, 'rejects') });
const cli3 = inboxSize / secs(t);
console.log(
  `loader: ${fmt(drained.loaded)} records in ${drained.batches} batches at ${fmt(loaderRate)}/s; CLI import of the same rows: ${fmt(cli3)}/s; ratio ${(loaderRate / cli3).toFixed(2)} (goal at least 0.5)`,
);
await cleanup();
await stores.close();

// (b) a two-statement transaction per request through the store interface.
async function storeBench(label, open) {
  const store = await open();
  await store.exec('CREATE TABLE IF NOT EXISTS bench_events (id BIGINT PRIMARY KEY, account TEXT NOT NULL, points BIGINT NOT NULL)');
  await store.exec('CREATE TABLE IF NOT EXISTS bench_balances (account TEXT PRIMARY KEY, points BIGINT NOT NULL)');
  await store.run('DELETE FROM bench_events');
  await store.run('DELETE FROM bench_balances');
  const times = [];
  let next = 0;
  const t0 = performance.now();
  async function worker() {
    while (next < txCount) {
      const i = next++;
      const s = performance.now();
      await store.transaction(async (tx) => {
        await tx.run('INSERT INTO bench_events (id, account, points) VALUES (?, ?, ?)', [i, `a${i % 1000}`, 10n]);
        await tx.run('INSERT INTO bench_balances (account, points) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET points = bench_balances.points + excluded.points', [`a${i % 1000}`, 10n]);
      });
      times.push(performance.now() - s);
    }
  }
  await Promise.all(Array.from({ length: 50 }, worker));
  const seconds = secs(t0);
  times.sort((a, b) => a - b);
  const total = await store.one('SELECT sum(points) AS p FROM bench_balances');
  if (BigInt(total.p) !== BigInt(txCount) * 10n) throw new Error(`${label}: balances ${total.p}, expected ${txCount * 10}`);
  await store.exec('DROP TABLE bench_events');
  await store.exec('DROP TABLE bench_balances');
  await store.close();
  console.log(`store transaction (insert + upsert), 50 callers, ${label}: ${fmt(txCount / seconds)}/s; p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${quantile(times, 0.99).toFixed(2)} ms`);
  return txCount / seconds;
}
const sqliteRate = await storeBench('SQLite', () => openOps({ sqlite: join(dir, 'bench-tx.sqlite') }));
const pg = process.env.REGULARS_PG_URL;
if (pg) {
  const pgRate = await storeBench('PostgreSQL', () => openOps({ pg }));
  console.log(`  PostgreSQL / SQLite: ${(pgRate / sqliteRate).toFixed(2)}`);
} else console.log('  PostgreSQL: skipped (set REGULARS_PG_URL to measure it)');
