#!/usr/bin/env node
// The till over HTTP: checkouts of validate -> reserve -> redeem (three requests each) started at
// a steady rate (default 1,000 requests/s) for --seconds, against real server processes:
// embedded (one `serve`, SQLite beside a DuckDB file; then that `serve` and a `serve --role api`
// on the same SQLite file) and, with --pg, two `serve --role api` processes sharing PostgreSQL,
// the load alternating between the processes. Baseline in the same run:
// GET /api/health at the same rate against the same processes. Latency per route: p50, p99, max.
//   node bench/coupons-api.js [--rate 1000] [--seconds 10] [--pg postgres://...]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOps, opsPathFor } from '../dist/ops/index.js';
import { createKey } from '../dist/api/index.js';
import { createBatch, createTemplate, issueToMembers } from '../dist/coupons/index.js';
import { systemClock } from '../dist/core/clock.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const rate = Number(arg('rate', '1000'));
const seconds = Number(arg('seconds', '10'));
const pg = arg('pg', undefined);
const checkouts = Math.ceil((rate * seconds) / 3);
const bin = new URL('../bin/regulars.js', import.meta.url).pathname;

const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

async function start(args) {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, REGULARS_SCHEDULER_SECONDS: '3600' },
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${err}`);
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
function summary(label, xs) {
  const s = [...xs].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${pct(s, 50).toFixed(1)} ms | ${pct(s, 99).toFixed(1)} ms | ${s[s.length - 1].toFixed(1)} ms |`;
}

async function setUp(ops, n) {
  const tpl = await createTemplate(ops, systemClock, { name: 'bench 满100减10', kind: 'threshold', spend: '100', off: '10', stacking: { with: ['*'] }, budget: { count: n * 2 } });
  const batch = await createBatch(ops, systemClock, { template_id: tpl.value.template_id, codes: { generate: n } });
  const members = Array.from({ length: n }, (_, i) => `BM${String(i).padStart(7, '0')}`);
  await issueToMembers(ops, systemClock, { job_id: `bench-${Date.now()}`, batch_id: batch.value.batch_id, source: 'bench', members });
  const rows = await ops.all('SELECT member_id, code FROM coupons WHERE batch_id = ? ORDER BY member_id', [batch.value.batch_id]);
  return rows.map((r) => ({ member: String(r.member_id), code: String(r.code) }));
}

async function drive(urls, key, people) {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const times = { validate: [], reserve: [], redeem: [], health: [] };
  let failures = 0;
  // Keep-alive connections, at most 64 per server: requests beyond wait for one (and the wait counts).
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const send = (url, init) =>
    new Promise((resolve) => {
      const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ ok: res.statusCode < 300, body: text === '' ? {} : JSON.parse(text) }));
      });
      req.on('error', () => resolve({ ok: false, body: {} }));
      req.end(init.body);
    });
  const timed = async (label, url, init) => {
    const t = performance.now();
    const res = await send(url, init);
    times[label].push(performance.now() - t);
    if (!res.ok) failures++;
    return res.body;
  };
  const basket = { lines: [{ sku: 'A', quantity: 2, unit_price: '60.00' }], channel: 'store' };
  const gap = 3000 / rate; // ms between checkouts: three requests each
  const flows = [];
  const t0 = performance.now();
  for (let i = 0; i < people.length; i++) {
    const wait = t0 + i * gap - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const base = urls[i % urls.length];
    const p = people[i];
    flows.push(
      (async () => {
        await timed('validate', `${base}/api/coupons/validate`, { method: 'POST', headers, body: JSON.stringify({ member_id: p.member, codes: [p.code], basket }) });
        const r = await timed('reserve', `${base}/api/coupons/reservations`, { method: 'POST', headers, body: JSON.stringify({ key: `r-${p.code}`, member_id: p.member, codes: [p.code], basket }) });
        await timed('redeem', `${base}/api/coupons/reservations/${r.reservation_id}/redeem`, { method: 'POST', headers, body: JSON.stringify({ key: `d-${p.code}`, order_id: `O-${p.code}` }) });
      })(),
    );
  }
  await Promise.all(flows);
  const took = (performance.now() - t0) / 1000;
  // Baseline: health at the same request rate against the same processes.
  const h0 = performance.now();
  const hs = [];
  for (let i = 0; i < people.length * 3; i++) {
    const wait = h0 + i * (1000 / rate) - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    hs.push(timed('health', `${urls[i % urls.length]}/api/health`, {}));
  }
  await Promise.all(hs);
  agent.destroy();
  return { times, failures, achieved: (people.length * 3) / took };
}

async function run(label, where, serverArgs) {
  const ops = await openOps(where);
  // Two seconds of checkouts at the same rate first, not counted: a server just started compiles
  // its code paths and opens its connections then (a stall of most of a second, seen cold).
  const warm = Math.round((rate * 2) / 3);
  const everyone = await setUp(ops, checkouts + warm);
  const people = everyone.slice(warm);
  const { key } = await createKey(ops, systemClock, 'pos', 'bench');
  await ops.close();
  const servers = [];
  for (const args of serverArgs) servers.push(await start(args));
  try {
    await drive(
      servers.map((s) => s.url),
      key,
      everyone.slice(0, warm),
    );
    const r = await drive(
      servers.map((s) => s.url),
      key,
      people,
    );
    console.log(
      `\n${label}: ${checkouts.toLocaleString('en-US')} checkouts (${(checkouts * 3).toLocaleString('en-US')} requests) offered at ${rate}/s after 2 s of warm-up, achieved ${r.achieved.toFixed(0)}/s, ${r.failures} failed`,
    );
    console.log('| route | requests | p50 | p99 | max |\n|---|---|---|---|---|');
    for (const k of ['validate', 'reserve', 'redeem', 'health']) console.log(summary(k === 'health' ? 'baseline: GET /api/health' : k, r.times[k]));
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'regulars-bench-till-'));
const duck = join(dir, 'shop.duckdb');
await run('embedded (SQLite), one process', { sqlite: opsPathFor(duck) }, [['--db', duck]]);
await run('embedded (SQLite), serve and serve --role api on one file', { sqlite: opsPathFor(duck) }, [
  ['--db', duck],
  ['--role', 'api', '--db', duck],
]);
if (pg)
  await run('PostgreSQL, two processes of role api', { pg }, [
    ['--role', 'api', '--pg', pg],
    ['--role', 'api', '--pg', pg],
  ]);
await new Promise((r) => setTimeout(r, 500));
rmSync(dir, { recursive: true, force: true });
