#!/usr/bin/env node
// Coupon codes and issue jobs: N unique codes generated into a batch, then the batch issued to a
// saved segment of N members (a hand-off from DuckDB to the operational store, chunks of 1,000).
// Baseline in the same run: N rows of random 8-character text inserted into a plain table of the
// same store in the same chunks (the write floor any issue must pay).
// Usage: node bench/coupons.js [--n 100000] [--pg postgres://...]   (SQLite beside a temp DuckDB file by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openRegulars } from '../dist/open.js';
import { openOps } from '../dist/ops/index.js';
import { createSegment } from '../dist/segments/index.js';
import { createBatch, createTemplate, issueToSegment } from '../dist/coupons/index.js';
import { systemClock } from '../dist/core/clock.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('n', '100000'));
const pg = arg('pg', undefined);
const dir = mkdtempSync(join(tmpdir(), 'regulars-bench-coupons-'));
const secs = (t) => (performance.now() - t) / 1000;
const db = await openRegulars(join(dir, 'b.duckdb'));
const ops = await openOps(pg ? { pg } : { sqlite: join(dir, 'b.sqlite') });
if (pg) await ops.exec('DROP TABLE IF EXISTS bench_floor');
await ops.exec('CREATE TABLE bench_floor (code TEXT PRIMARY KEY, seq BIGINT NOT NULL)');

let t = performance.now();
await ops.transaction(async (tx) => {
  for (let i = 0; i < n; i += 500) {
    const part = Array.from({ length: Math.min(500, n - i) }, (_, j) => [randomBytes(6).toString('base64url').slice(0, 8), i + j]);
    await tx.run(`INSERT INTO bench_floor (code, seq) VALUES ${part.map(() => '(?, ?)').join(', ')}`, part.flat());
  }
});
const floor = secs(t);

const tpl = await createTemplate(ops, systemClock, { name: 'bench', kind: 'amount_off', amount: '10', validity: { days_after_issue: 30 } });
t = performance.now();
const batch = await createBatch(ops, systemClock, { template_id: tpl.value.template_id, codes: { generate: n, spec: { prefix: 'B-', pattern: '########' } } });
const gen = secs(t);
if (!batch.ok) throw new Error(JSON.stringify(batch.error));

const ts = "TIMESTAMP '2025-01-01 00:00:00'";
await db.run(`INSERT INTO members (member_id, anchor_identity_id, name, city, first_seen, identity_count, updated_at)
  SELECT 'M' || lpad(i::VARCHAR, 7, '0'), i + 1, 'n', 'Hangzhou', ${ts}, 1, ${ts} FROM range(${n}) t(i)`);
const seg = await createSegment(ops, systemClock, 'everyone', { kind: 'attribute', field: 'city', op: 'eq', value: 'Hangzhou' });
t = performance.now();
const job = await issueToSegment(db, ops, systemClock, { batch_id: batch.value.batch_id, segment_id: seg.segment_id, as_of: '2026-01-01', job_id: 'bench' });
const issue = secs(t);
if (!job.ok) throw new Error(JSON.stringify(job.error));
t = performance.now();
const again = await issueToSegment(db, ops, systemClock, { batch_id: batch.value.batch_id, segment_id: seg.segment_id, as_of: '2026-01-01', job_id: 'bench' });
const rerun = secs(t);

const row = (label, s, extra = '') => console.log(`| ${label} | ${s.toFixed(2)} s | ${(s / floor).toFixed(1)}x | ${extra} |`);
console.log(`coupons bench: ${n.toLocaleString('en-US')} codes and members, operational store ${ops.engine}`);
console.log('| step | time | vs baseline | result |\n|---|---|---|---|');
row('baseline: insert N random codes into a plain table', floor);
row('generate N unique codes into a batch', gen, `${batch.value.pool_size.toLocaleString('en-US')} codes`);
row('issue the batch to a segment of N members (one job)', issue, `${job.value.issued.toLocaleString('en-US')} issued`);
row('rerun the same job (nothing to issue)', rerun, `${again.ok ? again.value.issued : 'refused'} issued in total, none twice`);
if (pg) await ops.exec('DROP TABLE bench_floor');
await ops.close();
db.close();
rmSync(dir, { recursive: true, force: true });
