/**
 * The operational store's contract, run unchanged against every engine: SQLite (always) and
 * PostgreSQL (REGULARS_TEST_PG_URL; required under CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, freshPgUrl, opSandbox, pgTestUrl } from '../testing/ops.js';
import { audit, big, int, listHandoffs, migrateOps, openOps, readAudit, recordHandoff, text, type OpStore } from './index.js';

for (const engine of ENGINES) {
  const withStore = (name: string, fn: (s: Exclude<Awaited<ReturnType<typeof opSandbox>>, { skip: string }>) => Promise<void>) =>
    test(`${engine}: ${name}`, async (t) => {
      const s = await opSandbox(engine);
      if ('skip' in s) return t.skip(s.skip);
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });

  withStore('migrations apply once, also when two connections start together', async (s) => {
    const again = await migrateOps(s.store);
    assert.deepEqual(again, []);
    const [a, b] = await Promise.all([s.reopen(), s.reopen()]);
    const rows = await a.all('SELECT version FROM op_schema_migrations ORDER BY version');
    assert.ok(rows.length >= 1);
    assert.equal(int(rows[0], 'version'), 1);
    assert.equal((await b.all('SELECT version FROM op_schema_migrations')).length, rows.length);
  });

  withStore('integers come back as bigint, exactly, beyond 2^53; text and null as written', async (s) => {
    await s.store.exec('CREATE TABLE t_values (k TEXT PRIMARY KEY, n BIGINT, s TEXT)');
    const huge = 9_007_199_254_740_993n; // 2^53 + 1: a number cannot hold it
    await s.store.run('INSERT INTO t_values (k, n, s) VALUES (?, ?, ?), (?, ?, ?)', ['a', huge, '订单 1', 'b', -5n, null]);
    const a = await s.store.one('SELECT n, s FROM t_values WHERE k = ?', ['a']);
    assert.equal(big(a, 'n'), huge);
    assert.equal(text(a, 's'), '订单 1');
    const b = await s.store.one('SELECT n, s FROM t_values WHERE k = ?', ['b']);
    assert.equal(big(b, 'n'), -5n);
    assert.equal(text(b, 's'), null);
    assert.throws(() => int(a, 'n'), /beyond 2\^53/);
    const sum = await s.store.one('SELECT sum(n) AS total, count(*) AS n FROM t_values');
    assert.equal(big(sum, 'total'), huge - 5n);
    assert.equal(int(sum, 'n'), 2);
  });

  withStore('a transaction that fails leaves nothing behind', async (s) => {
    await s.store.exec('CREATE TABLE t_tx (k TEXT PRIMARY KEY, v BIGINT NOT NULL)');
    await assert.rejects(
      s.store.transaction(async (tx) => {
        await tx.run('INSERT INTO t_tx (k, v) VALUES (?, ?)', ['x', 1]);
        await tx.run('INSERT INTO t_tx (k, v) VALUES (?, ?)', ['x', 2]); // duplicate key
      }),
    );
    assert.equal(int(await s.store.one('SELECT count(*) AS n FROM t_tx'), 'n'), 0);
    const r = await s.store.transaction(async (tx) => {
      await tx.run('INSERT INTO t_tx (k, v) VALUES (?, ?)', ['y', 3]);
      return tx.one('SELECT v FROM t_tx WHERE k = ?', ['y']);
    });
    assert.equal(big(r, 'v'), 3n);
  });

  withStore('many transactions at once on one connection: each failure undoes only its own writes, each success is kept and answered', async (s) => {
    await s.store.exec('CREATE TABLE t_many (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        s.store.transaction(async (tx) => {
          await tx.run('INSERT INTO t_many (k, v) VALUES (?, ?)', [i, `v${i}`]);
          await tx.run('INSERT INTO t_many (k, v) VALUES (?, ?)', [1000 + i, `w${i}`]);
          if (i % 5 === 4) throw new Error(`refused ${i}`);
          return i;
        }),
      ),
    );
    const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    assert.equal(kept.length, 160);
    assert.ok(outcomes.every((o, i) => (i % 5 === 4 ? o.status === 'rejected' && String(o.reason).includes(`refused ${i}`) : o.status === 'fulfilled' && o.value === i)));
    // Read through another connection: what was answered as done is committed.
    const other = await s.reopen();
    assert.equal(int(await other.one('SELECT count(*) AS n FROM t_many'), 'n'), 320);
    assert.equal(int(await other.one('SELECT count(*) AS n FROM t_many WHERE k % 5 = 4'), 'n'), 0);
    // A statement after the transactions sees them, and a later transaction still works alone.
    assert.equal(int(await s.store.one('SELECT count(*) AS n FROM t_many'), 'n'), 320);
    await s.store.transaction(async (tx) => void (await tx.run('INSERT INTO t_many (k, v) VALUES (?, ?)', [5000, 'last'])));
    assert.equal(int(await other.one('SELECT count(*) AS n FROM t_many'), 'n'), 321);
  });

  withStore('read-modify-write transactions from two connections never lose an update', async (s) => {
    await s.store.exec('CREATE TABLE t_counter (k TEXT PRIMARY KEY, v BIGINT NOT NULL)');
    await s.store.run('INSERT INTO t_counter (k, v) VALUES (?, ?)', ['c', 0]);
    const other = await s.reopen();
    const bump = (store: typeof other) =>
      store.transaction(async (tx) => {
        const row = await tx.one(`SELECT v FROM t_counter WHERE k = ?${store.dialect.forUpdate}`, ['c']);
        await tx.run('UPDATE t_counter SET v = ? WHERE k = ?', [big(row, 'v') + 1n, 'c']);
      });
    await Promise.all(Array.from({ length: 100 }, (_, i) => bump(i % 2 === 0 ? s.store : other)));
    assert.equal(big(await s.store.one('SELECT v FROM t_counter WHERE k = ?', ['c']), 'v'), 100n);
  });

  withStore('ON CONFLICT DO NOTHING ... RETURNING tells the first writer from the others', async (s) => {
    await s.store.exec('CREATE TABLE t_keys (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
    const other = await s.reopen();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? s.store : other).transaction((tx) => tx.all('INSERT INTO t_keys (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING RETURNING k', [`k${i % 10}`, `v${i}`])),
      ),
    );
    assert.equal(results.filter((r) => r.length === 1).length, 10);
    assert.equal(int(await s.store.one('SELECT count(*) AS n FROM t_keys'), 'n'), 10);
  });

  withStore('the audit log and hand-off records read back as written', async (s) => {
    const at = new Date('2026-03-01T08:00:00.000Z');
    await audit(s.store, at, 'cli', 'keys.create', 'abc', { scope: 'pos' });
    await audit(s.store, at, 'key:abc', 'settings.set', 'shop.timezone', { value: 'Asia/Shanghai' });
    const keys = await readAudit(s.store, { action: 'keys.' });
    assert.equal(keys.length, 1);
    assert.deepEqual(keys[0]?.detail, { scope: 'pos' });
    assert.equal((await readAudit(s.store)).length, 2);
    await recordHandoff(s.store, 'inbox->members', at, 'ok', { records: 3 });
    await recordHandoff(s.store, 'inbox->members', new Date('2026-03-01T09:00:00.000Z'), 'ok', { records: 5 });
    const h = await listHandoffs(s.store);
    assert.equal(h.length, 1);
    assert.equal(h[0]?.last_run_at, '2026-03-01T09:00:00.000Z');
    assert.deepEqual(h[0]?.detail, { records: 5 });
  });
}

test('postgres: a new database migrated by four stores at once: every migration applied once, none fails', async (t) => {
  const base = pgTestUrl();
  if ('skip' in base) return t.skip(base.skip);
  const fresh = await freshPgUrl(base.url);
  try {
    // Nothing exists yet, not even the table of applied migrations: all four race to create it.
    const stores = await Promise.all(Array.from({ length: 4 }, () => openOps({ pg: fresh.url })));
    try {
      const rows = await (stores[0] as OpStore).all('SELECT version, count(*) AS n FROM op_schema_migrations GROUP BY version ORDER BY version');
      assert.ok(rows.length >= 2);
      for (const r of rows) assert.equal(int(r, 'n'), 1);
    } finally {
      for (const s of stores) await s.close();
    }
  } finally {
    await fresh.drop();
  }
});
