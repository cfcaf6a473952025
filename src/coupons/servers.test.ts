/**
 * Concurrency through real servers, as tills reach them: on SQLite a `serve` holding the
 * analytical file and a `serve --role api` on the same operational file; on PostgreSQL two
 * `serve --role api` processes. Calls alternate between the two servers over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../core/clock.js';
import { createKey } from '../api/index.js';
import { opsLocation } from '../open.js';
import { int, openOps, type OpStore } from '../ops/index.js';
import { freshPgUrl, pgTestUrl } from '../testing/ops.js';
import { serveProcess, type Served } from '../testing/processes.js';
import { budgetUse } from './budget.js';
import { setUp } from './testkit.js';

const QUIET = { REGULARS_SCHEDULER_SECONDS: '0', REGULARS_LOADER_SECONDS: '0' };
const BASKET = { lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] };

interface Pair {
  ops: OpStore;
  servers: Served[];
  key: string;
}

/** Two servers on one operational store of the engine, and a `pos` key; skipped without PostgreSQL. */
function withServers(engine: 'sqlite' | 'postgres', name: string, fn: (p: Pair) => Promise<void>): void {
  test(`${engine}, two server processes over HTTP: ${name}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'regulars-coupon-servers-'));
    const db = join(dir, 'shop.duckdb');
    let drop = async (): Promise<void> => undefined;
    let args: string[][];
    let where: { sqlite: string } | { pg: string };
    if (engine === 'sqlite') {
      where = opsLocation(db, null);
      args = [
        ['--db', db],
        ['--role', 'api', '--db', db],
      ];
    } else {
      const found = pgTestUrl();
      if ('skip' in found) {
        rmSync(dir, { recursive: true, force: true });
        return t.skip(found.skip);
      }
      const fresh = await freshPgUrl(found.url);
      drop = fresh.drop;
      where = { pg: fresh.url };
      args = [0, 1].map(() => ['--role', 'api', '--pg', fresh.url, '--db', db]);
    }
    const ops = await openOps(where);
    const servers: Served[] = [];
    try {
      // The first server creates the analytical file; the second starts once it is there.
      for (const a of args) servers.push(await serveProcess(a, QUIET));
      const { key } = await createKey(ops, systemClock, 'pos', 'tills');
      await fn({ ops, servers, key });
    } finally {
      for (const s of servers) await s.stop();
      await ops.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** POSTs JSON to server i % 2; the status and the answer. */
async function post(p: Pair, i: number, path: string, body: unknown, idem?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${p.servers[i % 2]?.url ?? ''}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json', ...(idem === undefined ? {} : { 'idempotency-key': idem }) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Reserve then redeem through server i % 2 (reserve) and the other one (redeem): the outcome. */
async function tillOverHttp(p: Pair, i: number, member: string, code: string, key: string): Promise<string> {
  const r = await post(p, i, '/api/coupons/reservations', { member_id: member, codes: [code], basket: BASKET }, `r-${key}`);
  if (r.status !== 201) return String(r.body['error']);
  const d = await post(p, i + 1, `/api/coupons/reservations/${String(r.body['reservation_id'])}/redeem`, { order_id: `O-${key}` }, `d-${key}`);
  return d.status === 200 ? 'redeemed' : String(d.body['error']);
}

function tally(xs: readonly string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  withServers(engine, '200 concurrent redeemers of distinct members against a budget of 100 redeem exactly 100', async (p) => {
    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    const s = await setUp(p.ops, systemClock, { kind: 'amount_off', amount: '5', budget: { count: 100 } }, members);
    const out = await Promise.all(members.map((m, i) => tillOverHttp(p, i, m, s.codes.get(m) ?? '', m)));
    assert.deepEqual(tally(out), { redeemed: 100, budget_exhausted: 100 });
    assert.equal(int(await p.ops.one("SELECT count(*) AS n FROM coupons WHERE state = 'redeemed'"), 'n'), 100);
    const total = (await budgetUse(p.ops, s.template_id)).find((b) => b.day === 'total');
    assert.equal(total?.used_count, 100n);
    assert.equal(total?.used_value, 5_0000n * 100n);
  });

  withServers(engine, 'one code redeemed concurrently 50 times succeeds once', async (p) => {
    const s = await setUp(p.ops, systemClock, { kind: 'amount_off', amount: '5' }, ['m1']);
    const code = s.codes.get('m1') ?? '';
    const out = await Promise.all(Array.from({ length: 50 }, (_, i) => tillOverHttp(p, i, 'm1', code, `try${i}`)));
    assert.equal(out.length, 50);
    assert.equal(tally(out)['redeemed'], 1, out.join(','));
    assert.ok(
      out.every((o) => ['redeemed', 'coupon_reserved', 'coupon_redeemed'].includes(o)),
      out.join(','),
    );
    assert.equal(int(await p.ops.one("SELECT count(*) AS n FROM coupons WHERE state = 'redeemed'"), 'n'), 1);
  });

  withServers(engine, '1,000 concurrent issue calls with 100 distinct keys issue exactly 100 coupons', async (p) => {
    const s = await setUp(p.ops, systemClock, { kind: 'amount_off', amount: '5' }, [], { generate: 200 });
    const out = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const r = await post(p, i, '/api/coupons/issue', { batch_id: s.batch_id, member_id: `m${i % 100}` }, `issue-${i % 100}`);
        return r.status === 201 ? `coupon ${String(r.body['coupon_id'])}` : String(r.body['error']);
      }),
    );
    assert.ok(
      out.every((o) => o.startsWith('coupon ')),
      out.find((o) => !o.startsWith('coupon ')),
    );
    assert.equal(new Set(out).size, 100, 'a retried key answers with the first coupon');
    assert.equal(int(await p.ops.one('SELECT count(*) AS n FROM coupons'), 'n'), 100);
    assert.equal(int(await p.ops.one('SELECT count(DISTINCT code) AS n FROM coupons'), 'n'), 100);
  });
}
