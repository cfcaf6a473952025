/**
 * Concurrency across two processes on the same store (SQLite file; PostgreSQL with a pool per
 * process): retried earns change the balance once per idempotency key; concurrent spends never
 * take the balance below zero.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { big } from '../ops/index.js';
import { loyaltyTest, order, programme, shuffle } from '../testing/loyalty.js';
import { balanceOf, earnOrder, findAccount, spend } from './index.js';

const WORKER = fileURLToPath(new URL('../testing/loyalty-worker.js', import.meta.url));
const NOW = '2026-03-01T10:00:00.000Z';

/** Runs the worker process; resolves with its outcome lines once `started` says it is sending. */
function worker(job: Record<string, unknown>): { ready: Promise<void>; done: Promise<string[]> } {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let signal: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signal = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) signal();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on('close', (code) => {
      signal();
      if (code === 0) resolve(out.split('\n').filter((l) => l !== '' && l !== 'ready'));
      else reject(new Error(`worker exited ${code}: ${err}`));
    }),
  );
  return { ready, done };
}

const config = programme({ pending_days: 0, expiry: { model: 'never' } });

loyaltyTest('1,000 earn calls of 100 idempotency keys sent 10 times each, from two processes, change the balance exactly 100 times', config, NOW, async (w) => {
  const calls = Array.from({ length: 100 }, (_, k) => ({ key: `earn-${k}`, order: order(`o-${k}`, NOW, [`${k + 1}`]) }));
  const mine = shuffle([...calls, ...calls, ...calls, ...calls, ...calls], 7);
  const theirs = shuffle([...calls, ...calls, ...calls, ...calls, ...calls], 11);
  const other = worker({ where: w.box.where, now: NOW, programme: 'p1', earns: theirs });
  await other.ready;
  const here = await Promise.all(
    mine.map(async (c) => {
      const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: c.order, key: c.key });
      return r.ok ? `ok ${r.replayed ? 'replayed' : 'new'}` : r.error.type;
    }),
  );
  const there = await other.done;
  const all = [...here, ...there];
  assert.equal(all.length, 1000);
  assert.equal(all.filter((o) => o === 'ok new').length, 100, 'each key wrote once');
  assert.equal(all.filter((o) => o === 'ok replayed').length, 900, 'every retry replayed the first result');
  assert.equal(big(await w.store.one("SELECT count(*) AS n FROM loyalty_entries WHERE kind = 'earn'"), 'n'), 100n);
  const found = await findAccount(w.store, 'p1', { member_id: 'M1' }, '86');
  assert.ok(found.ok);
  assert.equal((await balanceOf(w.store, found.account, w.clock.now())).balance, 5050n); // 1 + 2 + ... + 100
});

loyaltyTest('50 concurrent spends from two processes against a balance covering 20 succeed exactly 20 times, never below zero', config, NOW, async (w) => {
  for (let i = 0; i < 4; i++) {
    const r = await earnOrder(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, order: order(`seed-${i}`, NOW, ['50']), key: `seed-${i}` });
    assert.ok(r.ok);
  }
  const spends = Array.from({ length: 50 }, (_, i) => ({ key: `spend-${i}`, points: '10' }));
  const other = worker({ where: w.box.where, now: NOW, programme: 'p1', spends: spends.slice(25) });
  await other.ready;
  const here = await Promise.all(
    spends.slice(0, 25).map(async (s) => {
      const r = await spend(w.store, w.clock, 'p1', { who: { member_id: 'M1' }, points: BigInt(s.points), key: s.key });
      return r.ok ? 'ok new' : r.error.type;
    }),
  );
  const all = [...here, ...(await other.done)];
  assert.equal(all.filter((o) => o === 'ok new').length, 20);
  assert.equal(all.filter((o) => o === 'insufficient_points').length, 30);
  // The running balance in ledger order never dips below zero.
  const entries = await w.store.all('SELECT points FROM loyalty_entries ORDER BY entry_id');
  let running = 0n;
  for (const e of entries) {
    running += big(e, 'points');
    assert.ok(running >= 0n, `running balance ${running}`);
  }
  assert.equal(running, 0n);
  assert.equal(big(await w.store.one('SELECT count(*) AS n FROM loyalty_lots WHERE remaining < 0'), 'n'), 0n);
});
