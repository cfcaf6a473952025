/**
 * Concurrency through real servers: HTTP calls spread over two server processes on the same
 * operational store (SQLite: `serve` and `serve --role api` on the files of one --db; PostgreSQL:
 * two `serve --role api`). Retried earns change the balance once per idempotency key; concurrent
 * spends never take the balance below zero; the CLI's consistency check passes afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey } from '../api/index.js';
import { fixedClock } from '../core/clock.js';
import { big, openOps, type OpStore } from '../ops/index.js';
import { opsLocation } from '../open.js';
import { freshPgUrl, pgTestUrl } from '../testing/ops.js';
import { cli, serveProcess, serveProcesses, type Served } from '../testing/processes.js';
import { order, programme, shuffle } from '../testing/loyalty.js';
import { saveProgramme } from './index.js';

/** Two servers on one store, the store itself, and the CLI flags that reach it. */
interface Pair {
  servers: Served[];
  ops: OpStore;
  flags: string[];
  close(): Promise<void>;
}

async function sqlitePair(): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-loyalty-http-'));
  const db = join(dir, 'shop.duckdb');
  const all = await serveProcess(['--db', db]);
  const api = await serveProcess(['--role', 'api', '--db', db]);
  const ops = await openOps(opsLocation(db, null));
  return {
    servers: [all, api],
    ops,
    flags: ['--db', db],
    close: async () => {
      await ops.close();
      await all.stop();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgPair(base: string): Promise<Pair> {
  const fresh = await freshPgUrl(base);
  const dir = mkdtempSync(join(tmpdir(), 'regulars-loyalty-http-pg-'));
  const servers = await serveProcesses([0, 1].map(() => ['--role', 'api', '--pg', fresh.url, '--db', join(dir, 'unused.duckdb')]));
  const ops = await openOps({ pg: fresh.url });
  return {
    servers,
    ops,
    flags: ['--pg', fresh.url, '--db', join(dir, 'unused.duckdb')],
    close: async () => {
      await ops.close();
      for (const s of servers) await s.stop();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(url: string, key: string, path: string, body: unknown): Promise<Answer> {
  const r = await fetch(`${url}/api/loyalty/p1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

async function balance(url: string, key: string, member: string): Promise<bigint> {
  const r = await fetch(`${url}/api/loyalty/p1/lookup?member_id=${member}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200);
  const b = (await r.json()) as { balance: number };
  return BigInt(b.balance);
}

const countOf = (xs: Answer[], status: number): number => xs.filter((a) => a.status === status).length;

async function scenario(p: Pair): Promise<void> {
  const now = new Date();
  const paid = new Date(now.getTime() - 60_000).toISOString();
  await saveProgramme(p.ops, programme({ pending_days: 0, expiry: { model: 'never' } }), now);
  const { key } = await createKey(p.ops, fixedClock(now.toISOString()), 'pos', 'tills');
  const url = (i: number): string => p.servers[i % p.servers.length]?.url ?? '';

  // 1,000 earn calls: 100 keys sent 10 times each, shuffled, alternating between the servers.
  const calls = Array.from({ length: 100 }, (_, k) => ({ key: `earn-${k}`, order: order(`o-${k}`, paid, [`${k + 1}`]) }));
  const earns = shuffle(Array.from({ length: 10 }, () => calls).flat(), 7);
  const earned = await Promise.all(earns.map((c, i) => post(url(i), key, 'earn', { who: { member_id: 'M1' }, order: c.order, key: c.key })));
  assert.equal(earns.length, 1000);
  assert.equal(countOf(earned, 201), 100, JSON.stringify(earned.find((a) => a.status !== 201 && a.status !== 200)));
  assert.equal(countOf(earned, 200), 900, 'every retry replayed the first result');
  assert.ok(earned.every((a) => a.status === 201 || a.body['replayed'] === true));
  assert.equal(big(await p.ops.one("SELECT count(*) AS n FROM loyalty_entries WHERE kind = 'earn'"), 'n'), 100n, 'the balance changed exactly 100 times');
  assert.equal(await balance(url(0), key, 'M1'), 5050n); // 1 + 2 + ... + 100
  assert.equal(await balance(url(1), key, 'M1'), 5050n);

  // 50 spends of 10 against 200 points, alternating between the servers.
  for (let i = 0; i < 4; i++) assert.equal((await post(url(i), key, 'earn', { who: { member_id: 'M2' }, order: order(`seed-${i}`, paid, ['50']), key: `seed-${i}` })).status, 201);
  const spent = await Promise.all(Array.from({ length: 50 }, (_, i) => post(url(i), key, 'spend', { who: { member_id: 'M2' }, points: 10, key: `spend-${i}` })));
  assert.equal(countOf(spent, 201), 20, 'exactly the spends the balance covers');
  assert.equal(countOf(spent, 422), 30);
  assert.ok(spent.filter((a) => a.status === 422).every((a) => a.body['error'] === 'insufficient_points'));
  assert.equal(await balance(url(1), key, 'M2'), 0n);
  // The running balance in ledger order never dips below zero; no lot is overdrawn.
  const entries = await p.ops.all("SELECT e.points FROM loyalty_entries e JOIN loyalty_accounts a ON a.account_id = e.account_id WHERE a.member_id = 'M2' ORDER BY e.entry_id");
  let running = 0n;
  for (const e of entries) {
    running += big(e, 'points');
    assert.ok(running >= 0n, `running balance ${running}`);
  }
  assert.equal(big(await p.ops.one('SELECT count(*) AS n FROM loyalty_lots WHERE remaining < 0'), 'n'), 0n);

  // The CLI's consistency check, as a third process on the same store.
  const check = await cli(['loyalty', 'check', '--programme', 'p1', '--json', ...p.flags]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.equal(JSON.parse(check.stdout).ok, true);
}

test('SQLite, two server processes on the same files (serve and serve --role api): 1,000 HTTP earns of 100 keys change the balance 100 times; 50 HTTP spends against 20 succeed 20 times', async () => {
  const p = await sqlitePair();
  try {
    await scenario(p);
  } finally {
    await p.close();
  }
});

test('PostgreSQL, two serve --role api processes: 1,000 HTTP earns of 100 keys change the balance 100 times; 50 HTTP spends against 20 succeed 20 times', async (t) => {
  const found = pgTestUrl();
  if ('skip' in found) return t.skip(found.skip);
  const p = await pgPair(found.url);
  try {
    await scenario(p);
  } finally {
    await p.close();
  }
});
