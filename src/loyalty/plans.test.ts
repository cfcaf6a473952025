/**
 * A till's calls stay fast as the ledger grows: every statement an earn, a spend, a rolled-back
 * spend, a return and a look-up run is planned by SQLite as an index search (EXPLAIN QUERY PLAN),
 * never as a scan of a table, or of a whole index, that grows with members or points. Tables that hold one row per programme
 * or setting may be scanned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openOps, type OpQueries, type OpStore } from '../ops/index.js';
import { movableClock, order, programme } from '../testing/loyalty.js';
import { balanceOf, earnOrder, findAccount, historyOf, lotsOf, reverseOrder, rollbackSpend, saveProgramme, spend } from './index.js';

const SMALL = new Set(['loyalty_programmes', 'settings', 'op_schema_migrations']);

/** The store, recording every statement it is given (in and out of transactions). */
function recording(store: OpStore, seen: Set<string>): OpStore {
  const wrap = (q: OpQueries): OpQueries => ({
    all: (sql, p) => (seen.add(sql), q.all(sql, p)),
    one: (sql, p) => (seen.add(sql), q.one(sql, p)),
    run: (sql, p) => (seen.add(sql), q.run(sql, p)),
  });
  return { ...store, ...wrap(store), transaction: (fn) => store.transaction((tx) => fn(wrap(tx))) };
}

test('sqlite: the statements of earn, spend, rollback, return and look-up use indexes, never a scan of a growing table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-plans-'));
  const path = join(dir, 'shop.sqlite');
  const store = await openOps({ sqlite: path });
  try {
    const clock = movableClock('2026-03-01T10:00:00.000Z');
    const config = programme({ pending_days: 0, expiry: { model: 'never' } });
    await saveProgramme(store, config, clock.now());
    const seen = new Set<string>();
    const s = recording(store, seen);
    const p = config.programme_id;
    assert.ok((await earnOrder(s, clock, p, { who: { member_id: 'M1' }, order: order('O1', '2026-03-01T09:00:00Z', ['100']), key: 'e1' })).ok);
    assert.ok((await earnOrder(s, clock, p, { who: { member_id: 'M1' }, order: order('O1', '2026-03-01T09:00:00Z', ['100']), key: 'e1' })).ok, 'a replay');
    assert.ok((await spend(s, clock, p, { who: { member_id: 'M1' }, points: 30n, key: 's1' })).ok);
    assert.ok((await rollbackSpend(s, clock, p, { spend_key: 's1', key: 'rb1' })).ok);
    assert.ok((await reverseOrder(s, clock, p, { order_id: 'O1', value: '50', key: 'r1' })).ok);
    const found = await findAccount(s, p, { member_id: 'M1' }, 'CN');
    assert.ok(found.ok);
    const account = found.account;
    await balanceOf(s, account, clock.now());
    await lotsOf(s, account.account_id);
    await historyOf(s, account.account_id);
    assert.ok(seen.size > 10, `${seen.size} statements recorded`);

    const raw = new Database(path, { readonly: true });
    const scans: string[] = [];
    for (const sql of seen) {
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => null));
      for (const row of plan) {
        const detail = typeof row === 'object' && row !== null && 'detail' in row ? String(row.detail) : '';
        const m = /^SCAN (\w+)/.exec(detail);
        // A SCAN reads a whole table or a whole index (USING INDEX); only SEARCH is a look-up.
        if (m !== null && !SMALL.has(m[1] ?? '') && !/VALUES CLAUSE|CONSTANT ROW/.test(detail)) scans.push(`${detail} :: ${sql.replace(/\s+/g, ' ')}`);
      }
    }
    raw.close();
    assert.deepEqual(scans, []);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
