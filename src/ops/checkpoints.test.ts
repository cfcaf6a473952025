/**
 * Background checkpoints of the SQLite operational store (servers open it so: `checkpoints:
 * 'background'`): the write-ahead log reaches the database file although no commit checkpoints
 * it, other connections keep writing beside it, and closing the store stops the worker thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { big, int, openOps } from './index.js';

test('sqlite with background checkpoints: the log is copied into the database file by the worker, and every write survives a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-ckpt-'));
  const path = join(dir, 'shop.sqlite');
  try {
    const store = await openOps({ sqlite: path, checkpoints: 'background' });
    await store.exec('CREATE TABLE t_rows (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    assert.equal(int(await store.one('PRAGMA wal_autocheckpoint'), 'wal_autocheckpoint'), 0, "the store's own commits never checkpoint");
    const fileBefore = statSync(path).size;
    const row = 'x'.repeat(1000);
    for (let i = 0; i < 3000; i++) await store.transaction(async (tx) => void (await tx.run('INSERT INTO t_rows (k, v) VALUES (?, ?)', [i, row])));
    // No commit of this connection checkpoints (its automatic checkpoint is off), so the rows
    // reach the database file only through the worker.
    let fileAfter = statSync(path).size;
    for (let waited = 0; fileAfter < 3_000_000 && waited < 10_000; waited += 50) {
      await sleep(50);
      fileAfter = statSync(path).size;
    }
    assert.ok(fileAfter >= 3_000_000, `the database file grew from ${fileBefore} to ${fileAfter} bytes: the log was checkpointed in the background`);
    await store.close();
    const again = await openOps({ sqlite: path });
    assert.equal(int(await again.one('SELECT count(*) AS n FROM t_rows'), 'n'), 3000);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a server connection with background checkpoints and a command-line connection never lose an update', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-ckpt-'));
  const path = join(dir, 'shop.sqlite');
  try {
    const server = await openOps({ sqlite: path, checkpoints: 'background' });
    const cli = await openOps({ sqlite: path });
    await server.exec('CREATE TABLE t_counter (k TEXT PRIMARY KEY, v BIGINT NOT NULL, pad TEXT NOT NULL)');
    await server.run('INSERT INTO t_counter (k, v, pad) VALUES (?, ?, ?)', ['c', 0, '']);
    const bump = (s: typeof server, i: number) =>
      s.transaction(async (tx) => {
        const r = await tx.one('SELECT v FROM t_counter WHERE k = ?', ['c']);
        await tx.run('UPDATE t_counter SET v = ?, pad = ? WHERE k = ?', [big(r, 'v') + 1n, 'p'.repeat(i % 2000), 'c']);
      });
    await Promise.all(Array.from({ length: 600 }, (_, i) => bump(i % 3 === 0 ? cli : server, i)));
    assert.equal(big(await cli.one('SELECT v FROM t_counter WHERE k = ?', ['c']), 'v'), 600n);
    await Promise.all([server.close(), cli.close()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite with background checkpoints: no commit truncates the log; the worker gives a large log back only once the store is quiet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-ckpt-'));
  const path = join(dir, 'shop.sqlite');
  const wal = (): number => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  try {
    const limit = 512 * 1024;
    const store = await openOps({ sqlite: path, checkpoints: { everyMs: 20, walLimitBytes: limit, quietMs: 400 } });
    assert.equal(int(await store.one('PRAGMA journal_size_limit'), 'journal_size_limit'), -1, 'a commit never truncates the log');
    await store.exec('CREATE TABLE t_rows (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    // A reader holding an old snapshot keeps every checkpoint from finishing, so the log grows.
    const reader = new Database(path);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) AS n FROM t_rows').get();
    const row = 'x'.repeat(1000);
    for (let i = 0; i < 2000; i++) await store.run('INSERT INTO t_rows (k, v) VALUES (?, ?)', [i, row]);
    reader.exec('COMMIT');
    reader.close();
    const grown = wal();
    assert.ok(grown > 4 * limit, `the log grew to ${grown} bytes`);
    // Commits keep coming for a second: the log is checkpointed and restarts from its start, but
    // its file keeps its size.
    for (let i = 0; i < 20; i++) {
      await store.run('UPDATE t_rows SET v = ? WHERE k = ?', [`y${i}`, i]);
      await sleep(50);
      assert.ok(wal() >= grown, `commit ${i}: the log file keeps its size while the store is busy (${wal()} of ${grown} bytes)`);
    }
    // Then quiet: the worker truncates it.
    let size = wal();
    for (let waited = 0; size > limit && waited < 10_000; waited += 50) {
      await sleep(50);
      size = wal();
    }
    assert.ok(size <= limit, `the quiet store's log was given back (${size} bytes)`);
    assert.equal(int(await store.one('SELECT count(*) AS n FROM t_rows'), 'n'), 2000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
