/**
 * The ingestion inbox: concurrent single-record calls, updates and conflicts, the loader's crash
 * safety, and the same on PostgreSQL with two `--role api` processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clock, countOf, sandbox } from '../testing/index.js';
import { freshPgUrl, pgTestUrl } from '../testing/ops.js';
import { serveProcesses } from '../testing/processes.js';
import { buildApp, createKey } from '../api/index.js';
import { fromUnits, toUnits } from '../core/decimal.js';
import { openOps } from '../ops/index.js';
import { openRegulars } from '../open.js';
import { loadPending, publishedMember, publishIdentities, recordState } from './index.js';

/** 500 orders with exact four-decimal amounts; each is sent twice. */
function orders(n: number): Array<Record<string, string>> {
  return Array.from({ length: n }, (_, i) => ({
    channel: 'pos',
    order_id: `T${String(i + 1).padStart(4, '0')}`,
    buyer_phone: `1390000${String(i % 200).padStart(4, '0')}`,
    created_at: '2026-05-01 10:00:00',
    paid_at: '2026-05-01 10:00:30',
    status: 'paid',
    item_total: `${(i % 97) + 1}.${String((i * 37) % 10000).padStart(4, '0')}`,
    paid_amount: `${(i % 97) + 1}.${String((i * 37) % 10000).padStart(4, '0')}`,
  }));
}
const exactSum = (xs: ReadonlyArray<Record<string, string>>): string => fromUnits(xs.reduce((a, o) => a + toUnits(o['paid_amount'] ?? '0'), 0n));

async function storedMoney(db: Awaited<ReturnType<typeof openRegulars>>): Promise<{ orders: number; money: string }> {
  const r = await db.one('SELECT count(*) AS n, sum(paid_amount)::VARCHAR AS m FROM orders');
  return { orders: Number(r?.['n']), money: fromUnits(toUnits(String(r?.['m']))) };
}

test('1,000 concurrent single-record calls holding 500 orders twice leave 500 orders with the exact money, even when the loader dies mid-run', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: join(s.dir, 'rejects') });
  try {
    const { key } = await createKey(s.ops, clock, 'pos', 'till 1');
    const all = orders(500);
    const calls = [...all, ...all].map((o) => app.inject({ method: 'POST', url: '/api/ingest/orders', headers: { authorization: `Bearer ${key}` }, payload: o }));
    const answers = await Promise.all(calls);
    assert.ok(
      answers.every((a) => a.statusCode === 200),
      answers.find((a) => a.statusCode !== 200)?.body,
    );
    const states = answers.map((a) => a.json().records[0].state);
    assert.equal(states.filter((x) => x === 'pending').length, 500);
    assert.equal(states.filter((x) => x === 'duplicate').length, 500);
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 0, 'answered before anything is loaded');

    // The loader dies after its second import committed, before marking those records loaded.
    let imports = 0;
    await assert.rejects(
      loadPending(s.db, s.ops, clock, {
        batch: 100,
        rejectsDir: join(s.dir, 'rejects'),
        afterImport: async () => {
          if (++imports === 2) throw new Error('loader killed');
        },
      }),
      /loader killed/,
    );
    assert.equal((await storedMoney(s.db)).orders, 200, 'two batches reached the member base');
    const pending = await s.ops.one("SELECT count(*) AS n FROM ingest_inbox WHERE state = 'pending'");
    assert.equal(Number(pending?.['n']), 400, 'the second batch is still pending in the inbox');

    // It resumes from the inbox: the batch seen again is a duplicate, nothing counted twice.
    const r = await loadPending(s.db, s.ops, clock, { batch: 100, rejectsDir: join(s.dir, 'rejects') });
    assert.equal(r.loaded, 400);
    assert.equal(r.duplicate, 100);
    assert.deepEqual(await storedMoney(s.db), { orders: 500, money: exactSum(all) });
    assert.equal(Number((await s.ops.one("SELECT count(*) AS n FROM ingest_inbox WHERE state = 'loaded'"))?.['n']), 500);
    const one = await app.inject({ url: '/api/ingest/orders/pos/T0042', headers: { authorization: `Bearer ${key}` } });
    assert.equal(one.json().state, 'loaded');

    // The identity map is published: a till finds the member by phone without the analytical store.
    await publishIdentities(s.db, s.ops, clock);
    const member = await publishedMember(s.ops, 'phone', '', '+8613900000007');
    const expected = await s.db.one("SELECT member_id FROM identities WHERE kind = 'phone' AND value = '+8613900000007'");
    assert.equal(member, expected?.['member_id']);
  } finally {
    await app.close();
    s.close();
  }
});

test('the same key again: progress moves are updates kept with their history; other differences are conflicts (409 naming both values); unsafe numbers and malformed records are refused', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: join(s.dir, 'rejects') });
  try {
    const { key } = await createKey(s.ops, clock, 'integrator', 'shop');
    const h = { authorization: `Bearer ${key}` };
    const order = { channel: 'web', order_id: 'W1', buyer_id: 'u1', created_at: '2026-05-01 10:00:00', status: 'created', item_total: '100.00' };
    assert.equal((await app.inject({ method: 'POST', url: '/api/ingest/orders', headers: h, payload: order })).json().records[0].state, 'pending');
    const paid = await app.inject({ method: 'POST', url: '/api/ingest/orders', headers: h, payload: { ...order, status: 'paid', paid_at: '2026-05-01 10:05:00', paid_amount: '100.00' } });
    assert.equal(paid.statusCode, 200);
    assert.equal(paid.json().records[0].state, 'updated');
    assert.deepEqual(
      paid.json().records[0].changes.map((c: { field: string }) => c.field),
      ['status', 'paid_at', 'paid_amount'],
    );
    const moved = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders',
      headers: h,
      payload: { ...order, status: 'paid', paid_at: '2026-05-01 10:05:00', paid_amount: '100.00', buyer_id: 'u2' },
    });
    assert.equal(moved.statusCode, 409);
    assert.deepEqual(moved.json().records[0].fields, [{ field: 'buyer_id', stored: 'u1', incoming: 'u2' }]);
    const state = await recordState(s.ops, 'orders', ['web', 'W1']);
    assert.equal(state?.version, 2);
    assert.equal(state?.content['buyer_id'], 'u1', 'a conflict changes nothing');
    assert.equal(state?.history.length, 1);

    // A batch: a conflict inside a batch is answered per record with 200; the rest are stored.
    const batch = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders',
      headers: h,
      payload: [{ ...order, order_id: 'W2' }, { ...order, item_total: '90.00' }, { order_id: 'W3' }, 'nonsense'],
    });
    assert.equal(batch.statusCode, 200);
    assert.deepEqual(
      batch.json().records.map((r: { state: string }) => r.state),
      ['pending', 'conflict', 'rejected', 'rejected'],
    );
    assert.match(batch.json().records[2].reason, /part of the orders key/);

    // 18-digit marketplace order IDs sent as JSON numbers would be rounded: refused, with the fix.
    const big = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders',
      headers: { ...h, 'content-type': 'application/json' },
      payload: '{"channel":"tmall","order_id":123456789012345678,"created_at":"2026-05-01 10:00:00"}',
    });
    assert.equal(big.statusCode, 400);
    assert.match(big.json().message, /field order_id: 123456789012345678 .* send it as a string \("123456789012345678"\)/);
    const nd = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders',
      headers: { ...h, 'content-type': 'application/x-ndjson' },
      payload: '{"channel":"t","order_id":"1","created_at":"2026-05-01 10:00:00"}\n{"channel":"t","order_id":"2","created_at":"2026-05-01 10:00:00","paid_amount":12.345678901234567}',
    });
    assert.equal(nd.statusCode, 400);
    assert.match(nd.json().message, /Line 2: field paid_amount/);

    // Lines without a line number are numbered in arrival order; a bad value is rejected by the loader with its reason.
    const lines = await app.inject({
      method: 'POST',
      url: '/api/ingest/order_lines',
      headers: h,
      payload: [
        { channel: 'web', order_id: 'W1', sku: 'A', quantity: 1, unit_price: '60.00' },
        { channel: 'web', order_id: 'W1', sku: 'B', quantity: 'two', unit_price: '40.00' },
      ],
    });
    assert.deepEqual(
      lines.json().records.map((r: { key: string[] }) => r.key),
      [
        ['web', 'W1', '1'],
        ['web', 'W1', '2'],
      ],
    );
    await loadPending(s.db, s.ops, clock, { rejectsDir: join(s.dir, 'rejects') });
    const rejected = await recordState(s.ops, 'order_lines', ['web', 'W1', '2']);
    assert.equal(rejected?.state, 'rejected');
    assert.match(rejected?.reason ?? '', /quantity/);
    const w1 = await s.db.one("SELECT status, paid_amount::VARCHAR AS paid FROM orders WHERE order_id = 'W1'");
    assert.equal(w1?.['status'], 'paid', 'the loaded order carries its latest progress');
    assert.equal(await countOf(s.db, "SELECT * FROM order_lines WHERE order_id = 'W1'"), 1);
  } finally {
    await app.close();
    s.close();
  }
});

test('PostgreSQL: 1,000 concurrent calls spread over two --role api processes leave exactly 500 orders once loaded', async (t) => {
  const found = pgTestUrl();
  if ('skip' in found) return t.skip(found.skip);
  const fresh = await freshPgUrl(found.url);
  const dir = mkdtempSync(join(tmpdir(), 'regulars-pg-inbox-'));
  const servers = await serveProcesses([0, 1].map(() => ['--role', 'api', '--pg', fresh.url, '--db', join(dir, 'unused.duckdb')]));
  try {
    const ops = await openOps({ pg: fresh.url });
    const { key } = await createKey(ops, clock, 'pos', 'tills');
    const all = orders(500);
    const answers = await Promise.all(
      [...all, ...all].map(async (o, i) => {
        const r = await fetch(`${servers[i % 2]?.url ?? ''}/api/ingest/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(o),
        });
        return { status: r.status, body: await r.json() };
      }),
    );
    assert.ok(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers.find((a) => a.status !== 200)),
    );
    const states = answers.map((a) => a.body.records[0].state);
    assert.equal(states.filter((x) => x === 'pending').length, 500);
    assert.equal(states.filter((x) => x === 'duplicate').length, 500);
    // The process that holds the analytical store loads the shared inbox.
    const db = await openRegulars(join(dir, 'shop.duckdb'));
    try {
      const r = await loadPending(db, ops, clock, { batch: 200, rejectsDir: join(dir, 'rejects') });
      assert.equal(r.loaded, 500);
      assert.deepEqual(await storedMoney(db), { orders: 500, money: exactSum(all) });
      // An api process refuses what needs the analytical store, in one line.
      const sync = await fetch(`${servers[0]?.url ?? ''}/api/ingest/orders?mode=sync`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '[]' });
      assert.equal(sync.status, 400);
      assert.match((await sync.json()).message, /role api/);
      const reports = await fetch(`${servers[1]?.url ?? ''}/api/reports/rfm`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(reports.status, 404, 'analytical routes are not served by role api');
    } finally {
      db.close();
      await ops.close();
    }
  } finally {
    for (const s of servers) await s.stop();
    await fresh.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
