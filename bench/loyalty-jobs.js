#!/usr/bin/env node
// Loyalty jobs benchmark: the tier job and the expiry job over N member accounts (default 1M),
// each with two lots (one past its expiry), built in SQL on the operational store (SQLite file,
// or PostgreSQL with --pg URL), then the hand-off of every member's figures (tier, balance,
// expiring within 30 days, lifetime earned) to the analytical store (a DuckDB file). Baseline in
// the same run: the consistency check, which reads every entry, lot and move once (the floor of
// any job that looks at every account).
// Usage: node bench/loyalty-jobs.js [--members 1000000] [--pg URL]
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOps } from '../dist/ops/index.js';
import { checkLedger, parseProgramme, publishLoyalty, runExpiry, runTierJob, saveProgramme } from '../dist/loyalty/index.js';
import { fixedClock } from '../dist/core/clock.js';
import { openRegulars } from '../dist/open.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('members', '1000000'));
const pg = arg('pg', undefined);
const dir = mkdtempSync(join(tmpdir(), 'regulars-bench-loyalty-'));
const store = await openOps(pg !== undefined ? { pg } : { sqlite: join(dir, 'ops.sqlite') });
const secs = (t) => (performance.now() - t) / 1000;
const now = new Date('2026-06-01T00:00:00.000Z');
const p = parseProgramme({
  programme_id: 'bench',
  name: 'Bench',
  starts_on: '2025-01-01',
  pending_days: 7,
  tiers: {
    metric: 'qualifying_points',
    window: 'rolling_365',
    downgrade: 'one_step',
    grace_days: 0,
    levels: [
      { code: 'member', name: 'Member', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 1000 },
      { code: 'gold', name: 'Gold', threshold: 5000 },
    ],
  },
});
if (!p.ok) throw new Error(p.error.errors.join('; '));
await saveProgramme(store, p.config, now);

let t = performance.now();
const seq = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})`;
await store.transaction(async (tx) => {
  await tx.run(
    `INSERT INTO loyalty_accounts (account_id, programme_id, member_id, debt, created_at, updated_at) ${seq} SELECT i, 'bench', 'M' || i, 0, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z' FROM s`,
  );
  // Two earns per account: one in the window (released), one old lot that has expired by now.
  await tx.run(
    `INSERT INTO loyalty_entries (entry_id, programme_id, account_id, kind, points, cause, cause_ref, at) ${seq} SELECT 2 * i - 1, 'bench', i, 'earn', (i * 7) % 9000, 'order', 'a' || i, '2026-03-01T00:00:00.000Z' FROM s`,
  );
  await tx.run(
    `INSERT INTO loyalty_entries (entry_id, programme_id, account_id, kind, points, cause, cause_ref, at) ${seq} SELECT 2 * i, 'bench', i, 'earn', 100, 'order', 'b' || i, '2024-03-01T00:00:00.000Z' FROM s`,
  );
  await tx.run(
    `INSERT INTO loyalty_lots (lot_id, programme_id, account_id, entry_id, order_id, earned_by, points, remaining, earned_at, pending_until, expires_at, state) ${seq} SELECT 2 * i - 1, 'bench', i, 2 * i - 1, 'a' || i, 'member:M' || i, (i * 7) % 9000, (i * 7) % 9000, '2026-03-01T00:00:00.000Z', '2026-03-08T00:00:00.000Z', '2028-01-01T00:00:00.000Z', 'open' FROM s`,
  );
  await tx.run(
    `INSERT INTO loyalty_lots (lot_id, programme_id, account_id, entry_id, order_id, earned_by, points, remaining, earned_at, pending_until, expires_at, state) ${seq} SELECT 2 * i, 'bench', i, 2 * i, 'b' || i, 'member:M' || i, 100, 100, '2024-03-01T00:00:00.000Z', '2024-03-08T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'open' FROM s`,
  );
  await tx.run(`INSERT INTO loyalty_lot_moves (entry_id, lot_id, points) SELECT entry_id, lot_id, points FROM loyalty_lots WHERE programme_id = 'bench'`);
  await tx.run(
    `INSERT INTO loyalty_orders (programme_id, order_id, account_id, base, points, returned, reversed, cancelled, paid_at) SELECT 'bench', order_id, account_id, CAST(points AS TEXT), points, '0', 0, 0, earned_at FROM loyalty_lots WHERE programme_id = 'bench'`,
  );
});
if (store.engine === 'postgres') {
  for (const tbl of ['loyalty_accounts', 'loyalty_entries', 'loyalty_lots'])
    await store.run(`SELECT setval(pg_get_serial_sequence('${tbl}', '${tbl === 'loyalty_accounts' ? 'account_id' : tbl === 'loyalty_entries' ? 'entry_id' : 'lot_id'}'), ${2 * n + 1})`);
  await store.exec('ANALYZE');
}
const seed = secs(t);

t = performance.now();
const check0 = await checkLedger(store, 'bench');
const baseline = secs(t);
if (!check0.ok) throw new Error(check0.problems.join('\n'));

t = performance.now();
const tiers = await runTierJob(store, fixedClock(now), 'bench');
const tierSecs = secs(t);

t = performance.now();
const expired = await runExpiry(store, fixedClock(now), 'bench');
const expirySecs = secs(t);

const db = await openRegulars(join(dir, 'analytics.duckdb'));
t = performance.now();
const published = await publishLoyalty(store, db, fixedClock(now));
const publishSecs = secs(t);
const rows = await db.one("SELECT count(*) AS n, sum(balance) AS balance FROM member_loyalty WHERE programme_id = 'bench'");
db.close();

const check = await checkLedger(store, 'bench');
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`engine ${store.engine}; ${n.toLocaleString('en')} accounts, ${(2 * n).toLocaleString('en')} lots (seeded in ${seed.toFixed(1)} s)`);
console.log(`baseline: consistency check (reads every entry, lot and move) ${baseline.toFixed(2)} s`);
console.log(`tier job: ${tierSecs.toFixed(2)} s (${tiers.accounts} accounts, ${tiers.upgrades} upgrades) = ${(tierSecs / baseline).toFixed(2)}x the baseline`);
console.log(`expiry job: ${expirySecs.toFixed(2)} s (${expired.lots} lots, ${expired.points} points, ${expired.accounts} accounts) = ${(expirySecs / baseline).toFixed(2)}x the baseline`);
console.log(
  `publication to DuckDB: ${publishSecs.toFixed(2)} s (${published.bench} members, ${String(rows?.n)} rows, balance total ${String(rows?.balance)}) = ${(publishSecs / baseline).toFixed(2)}x the baseline`,
);
console.log(`ledger still consistent after both jobs: ${check.ok}`);
