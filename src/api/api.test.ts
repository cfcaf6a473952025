import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { clock, sandbox, type Sandbox } from '../testing/index.js';
import { buildApp, createKey } from './index.js';

type App = Awaited<ReturnType<typeof buildApp>>;

async function setup(bodyLimit?: number): Promise<{ s: Sandbox; app: App; keys: Record<string, string> }> {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects`, ...(bodyLimit !== undefined ? { bodyLimit } : {}) });
  const keys: Record<string, string> = {};
  for (const scope of ['admin', 'operator', 'analyst', 'integrator'] as const) keys[scope] = (await createKey(s.ops, clock, scope, scope)).key;
  return { s, app, keys };
}
const auth = (key: string | undefined): Record<string, string> => ({ authorization: `Bearer ${key ?? ''}` });

const ORDERS = [
  { channel: 'web', order_id: 'o1', buyer_id: 'A', buyer_phone: '13800000001', created_at: '2024-05-01 10:00:00', paid_at: '2024-05-01 10:01:00', status: 'paid' },
  { channel: 'web', order_id: 'o2', buyer_id: 'B', created_at: 'yesterday', status: 'paid' },
  'not a record',
  { channel: 'web', order_id: 'o3', buyer_id: 'A', created_at: '2024-06-01 10:00:00', paid_at: '2024-06-01 10:01:00', status: 'paid' },
];

test('auth: health is open; a key is needed, revoked keys fail, and each scope reaches only its routes', async () => {
  const { s, app, keys } = await setup();
  try {
    assert.equal((await app.inject({ url: '/api/health' })).statusCode, 200);
    const none = await app.inject({ url: '/api/meta' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, 'unauthorized');
    assert.equal((await app.inject({ url: '/api/meta', headers: auth('rk_000000000000_nonsensenonsensenonsense') })).statusCode, 401);
    assert.equal((await app.inject({ url: '/api/meta', headers: { 'x-api-key': keys['analyst'] ?? '' } })).statusCode, 200);
    const cases: Array<[string, string, string, number]> = [
      ['integrator', 'GET', '/api/reports/lifecycle', 403],
      ['integrator', 'GET', '/api/members?q=x', 403],
      ['analyst', 'POST', '/api/ingest/orders', 403],
      ['analyst', 'PUT', '/api/settings/analysis.period', 403],
      ['operator', 'GET', '/api/keys', 403],
      ['operator', 'PUT', '/api/settings/analysis.period', 200],
      ['admin', 'GET', '/api/keys', 200],
      ['integrator', 'POST', '/api/ingest/orders', 200],
    ];
    for (const [scope, method, url, status] of cases) {
      const r = await app.inject({ method: method as 'GET', url, headers: auth(keys[scope]), ...(method === 'PUT' ? { payload: { value: 'week' } } : method === 'POST' ? { payload: [] } : {}) });
      assert.equal(r.statusCode, status, `${scope} ${method} ${url}: ${r.body}`);
    }
    // Keys made through the API work, and stop working once revoked.
    const made = (await app.inject({ method: 'POST', url: '/api/keys', headers: auth(keys['admin']), payload: { name: 'pos', scope: 'integrator' } })).json();
    assert.match(made.key, /^rk_[0-9a-f]{12}_/);
    assert.equal((await app.inject({ url: '/api/me', headers: auth(made.key) })).json().scope, 'integrator');
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/keys/${String(made.key_id)}`, headers: auth(keys['admin']) })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/me', headers: auth(made.key) })).statusCode, 401);
    const listed = (await app.inject({ url: '/api/keys', headers: auth(keys['admin']) })).json().keys as Array<Record<string, unknown>>;
    assert.ok(
      listed.every((k) => !('hash' in k) && !('key' in k)),
      'secrets and hashes never leave the server',
    );
  } finally {
    await app.close();
    s.close();
  }
});

test('ingestion: per-record rejects with index, field and reason; good records kept; re-posts are idempotent; NDJSON; oversize 413', async () => {
  const { s, app, keys } = await setup(4000);
  try {
    const first = await app.inject({ method: 'POST', url: '/api/ingest/orders?mode=sync', headers: auth(keys['integrator']), payload: ORDERS });
    assert.equal(first.statusCode, 200, first.body);
    const body = first.json();
    assert.equal(body.received, 4);
    assert.equal(body.loaded, 2);
    assert.deepEqual(
      body.rejected.map((r: Record<string, unknown>) => [r['index'], r['field']]),
      [
        [1, 'created_at'],
        [2, ''],
      ],
    );
    assert.match(body.rejected[1].reason, /JSON object/);
    const again = (await app.inject({ method: 'POST', url: '/api/ingest/orders?mode=sync', headers: auth(keys['integrator']), payload: ORDERS })).json();
    assert.equal(again.loaded, 0);
    assert.equal(again.duplicate, 2);
    assert.equal(Number((await s.db.one('SELECT count(*) AS n FROM orders'))?.['n']), 2, 'nothing counted twice');
    const lines = [
      { channel: 'web', order_id: 'o1', line_no: 1, sku: 'X', quantity: 2, unit_price: '10.50' },
      { channel: 'web', order_id: 'o3', line_no: 1, sku: 'X', quantity: 1, unit_price: '5.00' },
    ];
    const nd = await app.inject({
      method: 'POST',
      url: '/api/ingest/order_lines?mode=sync',
      headers: { ...auth(keys['integrator']), 'content-type': 'application/x-ndjson' },
      payload: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
    assert.equal(nd.json().loaded, 2, nd.body);
    assert.equal(String((await s.db.one('SELECT sum(amount)::VARCHAR AS v FROM order_lines'))?.['v']), '26.0000');
    // The two orders of A (by the same phone in one channel) are one member with two purchases.
    assert.equal(Number((await s.db.one('SELECT count(DISTINCT member_id) AS n FROM order_values WHERE is_purchase'))?.['n']), 1);
    const big = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders?mode=sync',
      headers: auth(keys['integrator']),
      payload: Array.from({ length: 60 }, (_, i) => ({ ...(ORDERS[0] as object), order_id: `big${i}` })),
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error, 'payload_too_large');
    assert.match(big.json().message, /limit of 4000 bytes/);
    const wrong = await app.inject({ method: 'POST', url: '/api/ingest/nonsense?mode=sync', headers: auth(keys['integrator']), payload: [] });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_request');
  } finally {
    await app.close();
    s.close();
  }
});

test('ingestion: a batch of only bad records is answered record by record; nested values, unknown fields; the reject report counts records', async () => {
  const { s, app, keys } = await setup();
  try {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/ingest/orders?mode=sync',
      headers: auth(keys['integrator']),
      payload: [
        { channel: 'web', order_id: 'x1', buyer_id: 'A', created_at: 'soon', status: 'paid' },
        7,
        { channel: 'web', order_id: 'x2', buyer_id: 'A', created_at: '2024-05-01 10:00:00', status: 'sideways' },
      ],
    });
    assert.equal(bad.statusCode, 200, bad.body);
    const b = bad.json();
    assert.equal(b.loaded, 0);
    assert.deepEqual(
      b.rejected.map((r: Record<string, unknown>) => [r['index'], r['field']]),
      [
        [0, 'created_at'],
        [1, ''],
        [2, 'status'],
      ],
    );
    assert.equal(b.rejected[0].value, 'soon');
    assert.equal(Number((await s.db.one('SELECT count(*) AS n FROM orders'))?.['n']), 0);
    // The stored reject report names records by their place in the batch (1-based), and only writers may read it.
    const csv = await app.inject({ url: `/api/imports/${String(b.import_id)}/rejects.csv`, headers: auth(keys['integrator']) });
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\n');
    assert.equal(lines[0], 'file,line,field,reason,value');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',').slice(1, 3).join(',')),
      ['1,created_at', '3,status'],
    );
    assert.equal((await app.inject({ url: `/api/imports/${String(b.import_id)}/rejects.csv`, headers: auth(keys['analyst']) })).statusCode, 403);
    assert.equal((await app.inject({ url: '/api/imports/999/rejects.csv', headers: auth(keys['admin']) })).statusCode, 404);
    const mixed = (
      await app.inject({
        method: 'POST',
        url: '/api/ingest/members?mode=sync',
        headers: auth(keys['integrator']),
        payload: [
          { channel: 'web', external_id: 'N1', name: { first: 'Wei' } },
          { channel: 'web', external_id: 'N2', phone: 13800000009, nickname: 'x' },
        ],
      })
    ).json();
    assert.equal(mixed.loaded, 1);
    assert.deepEqual(
      mixed.rejected.map((r: Record<string, unknown>) => [r['index'], r['field']]),
      [[0, 'name']],
    );
    assert.deepEqual(mixed.ignored_fields, ['nickname']);
    assert.equal(Number((await s.db.one("SELECT count(*) AS n FROM identities WHERE kind = 'phone' AND value = '+8613800000009'"))?.['n']), 1, 'a phone sent as a number is a phone');
    const listed = (await app.inject({ url: '/api/imports', headers: auth(keys['analyst']) })).json().imports as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map((i) => [i['entity'], i['file'], i['has_rejects']]),
      [
        ['members', 'members.ndjson', false],
        ['orders', 'orders.ndjson', true],
      ],
    );
    const refused = await app.inject({ method: 'POST', url: '/api/ingest/orders?mode=sync', headers: auth(keys['integrator']), payload: [{ order_id: 'x3' }] });
    assert.equal(refused.statusCode, 400);
    assert.doesNotMatch(refused.json().message, /regulars-ingest-|\//, 'no staging path in the message');
    const csvBody = await app.inject({ method: 'POST', url: '/api/ingest/orders?mode=sync', headers: { ...auth(keys['integrator']), 'content-type': 'text/csv' }, payload: 'a,b\n1,2\n' });
    assert.equal(csvBody.statusCode, 415);
  } finally {
    await app.close();
    s.close();
  }
});

test('uploads: a file body in any format the CLI reads, as the import report; operators and admins only', async () => {
  const { s, app, keys } = await setup();
  try {
    const file = 'channel,order_id,buyer_id,created_at,paid_at,status\nweb,u1,A,2024-05-01 10:00:00,2024-05-01 10:01:00,paid\nweb,u2,B,never,,paid\n';
    const url = '/api/imports?preset=regulars&entity=orders&filename=orders-may.csv';
    assert.equal((await app.inject({ method: 'POST', url, headers: { ...auth(keys['analyst']), 'content-type': 'text/csv' }, payload: file })).statusCode, 403);
    const r = await app.inject({ method: 'POST', url, headers: { ...auth(keys['operator']), 'content-type': 'text/csv' }, payload: file });
    assert.equal(r.statusCode, 200, r.body);
    const report = r.json();
    assert.equal(report.file, 'orders-may.csv');
    assert.equal(report.loaded, 1);
    assert.equal(report.rejected, 1);
    assert.equal(report.entity, 'orders');
    // JSON files are files too: not parsed on the way in.
    const nd = await app.inject({
      method: 'POST',
      url: '/api/imports?entity=orders&filename=more.ndjson',
      headers: { ...auth(keys['admin']), 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify({ channel: 'web', order_id: 'u3', buyer_id: 'A', created_at: '2024-05-02 10:00:00', status: 'paid' })}\n`,
    });
    assert.equal(nd.json().loaded, 1, nd.body);
    const rejects = await app.inject({ url: `/api/imports/${String(report.import_id)}/rejects.csv`, headers: auth(keys['operator']) });
    assert.match(rejects.body, /,3,created_at,/);
    const empty = await app.inject({ method: 'POST', url, headers: { ...auth(keys['operator']), 'content-type': 'text/csv' }, payload: '' });
    assert.equal(empty.statusCode, 400);
    const unknown = await app.inject({ method: 'POST', url: '/api/imports?filename=mystery.csv', headers: { ...auth(keys['operator']), 'content-type': 'text/csv' }, payload: 'x,y\n1,2\n' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /^mystery\.csv: /);
  } finally {
    await app.close();
    s.close();
  }
});

test('reads: reports with the CLI parameters, member search and the 360 profile, masked for analysts; OpenAPI lists the routes', async () => {
  const { s, app, keys } = await setup();
  try {
    await app.inject({
      method: 'POST',
      url: '/api/ingest/members?mode=sync',
      headers: auth(keys['integrator']),
      payload: [{ channel: 'web', external_id: 'A', phone: '13800000001', email: 'Zhang.Wei@Example.com', name: '张伟' }],
    });
    // The same person at the till: one member, merged through the phone.
    await app.inject({ method: 'POST', url: '/api/ingest/members?mode=sync', headers: auth(keys['integrator']), payload: [{ channel: 'pos', external_id: 'C9', phone: '138 0000 0001' }] });
    await app.inject({ method: 'POST', url: '/api/ingest/orders?mode=sync', headers: auth(keys['integrator']), payload: ORDERS });
    await app.inject({
      method: 'POST',
      url: '/api/ingest/order_lines?mode=sync',
      headers: auth(keys['integrator']),
      payload: [{ channel: 'web', order_id: 'o1', line_no: 1, sku: 'X', quantity: 1, unit_price: '30.00' }],
    });
    const meta = (await app.inject({ url: '/api/meta', headers: auth(keys['analyst']) })).json();
    assert.deepEqual(meta.channels, ['pos', 'web']);
    assert.equal(meta.as_of_default, '2024-05-01', 'the last day with a purchase (o3 has no lines, so no value)');
    assert.deepEqual([meta.first_day, meta.last_day], ['2024-05-01', '2024-06-01']);
    const rfm = await app.inject({ url: '/api/reports/rfm?as_of=2024-06-30', headers: auth(keys['analyst']) });
    assert.equal(rfm.statusCode, 200, rfm.body);
    assert.equal(rfm.json().report, 'rfm');
    assert.equal(rfm.json().as_of, '2024-06-30');
    assert.equal((await app.inject({ url: '/api/reports/rfm?as_of=30/06/2024', headers: auth(keys['analyst']) })).statusCode, 400);
    assert.equal((await app.inject({ url: '/api/reports/nope', headers: auth(keys['analyst']) })).statusCode, 400);
    for (const q of ['13800000001', 'zhang.wei@example.com', 'web:A'.slice(4), '张']) {
      const hits = (await app.inject({ url: `/api/members?q=${encodeURIComponent(q)}`, headers: auth(keys['admin']) })).json().members as Array<Record<string, unknown>>;
      assert.equal(hits.length, 1, `search ${q}`);
      assert.equal(hits[0]?.['phone'], '+8613800000001');
    }
    const analystHits = (await app.inject({ url: '/api/members?q=13800000001', headers: auth(keys['analyst']) })).json().members as Array<Record<string, unknown>>;
    assert.deepEqual(analystHits[0]?.['channels'], ['pos', 'web']);
    assert.equal(analystHits[0]?.['phone'], '+86138****0001');
    assert.equal(analystHits[0]?.['email'], 'z***@example.com');
    const id = String(analystHits[0]?.['member_id']);
    const profile = (await app.inject({ url: `/api/members/${id}`, headers: auth(keys['analyst']) })).json();
    const values = (profile.identities as Array<Record<string, unknown>>).map((i) => i['value']);
    assert.ok(values.includes('+86138****0001') && !values.includes('+8613800000001'), JSON.stringify(values));
    assert.ok(values.includes('z***@example.com'), JSON.stringify(values));
    assert.ok(!JSON.stringify(profile).includes('13800000001') && !JSON.stringify(profile).includes('zhang.wei'), 'no phone or email anywhere in the analyst view');
    assert.ok((profile.merges as unknown[]).length > 0, 'the merge through the phone is shown');
    assert.equal(profile.orders.length, 2);
    const full = (await app.inject({ url: `/api/members/${id}`, headers: auth(keys['operator']) })).json();
    assert.ok((full.identities as Array<Record<string, unknown>>).some((i) => i['value'] === '+8613800000001'));
    assert.equal((await app.inject({ url: '/api/members/nobody-at-all', headers: auth(keys['admin']) })).statusCode, 404);
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    assert.equal(doc.openapi.slice(0, 2), '3.');
    const routes = [
      '/api/campaigns',
      '/api/campaigns/run',
      '/api/campaigns/{id}',
      '/api/campaigns/{id}/evaluation',
      '/api/campaigns/{id}/launch',
      '/api/channels',
      '/api/channels/{name}',
      '/api/coupons/allowances',
      '/api/coupons/analytics',
      '/api/coupons/batches',
      '/api/coupons/exchanges',
      '/api/coupons/exchanges/{coupon_id}/cancel',
      '/api/coupons/issue',
      '/api/coupons/jobs',
      '/api/coupons/jobs/{id}',
      '/api/coupons/members/{member_id}',
      '/api/coupons/publish',
      '/api/coupons/reservations',
      '/api/coupons/reservations/{id}/redeem',
      '/api/coupons/reservations/{id}/release',
      '/api/coupons/returns',
      '/api/coupons/templates',
      '/api/coupons/templates/summary',
      '/api/coupons/validate',
      '/api/experiments/evaluate',
      '/api/health',
      '/api/imports',
      '/api/imports/{id}/rejects.csv',
      '/api/inbox',
      '/api/ingest/{entity}',
      '/api/ingest/{entity}/{*}',
      '/api/keys',
      '/api/keys/{id}',
      '/api/loyalty/{programme}/accounts/{account}/history',
      '/api/loyalty/{programme}/accounts/{account}/lots',
      '/api/loyalty/{programme}/activities',
      '/api/loyalty/{programme}/adjust',
      '/api/loyalty/{programme}/dry-run',
      '/api/loyalty/{programme}/earn',
      '/api/loyalty/{programme}/lookup',
      '/api/loyalty/{programme}/members/{member_id}',
      '/api/loyalty/{programme}/reverse',
      '/api/loyalty/{programme}/spend',
      '/api/loyalty/{programme}/spend/rollback',
      '/api/loyalty/{programme}/summary',
      '/api/loyalty/programmes',
      '/api/me',
      '/api/members',
      '/api/members/{id}',
      '/api/members/{id}/unmerge',
      '/api/meta',
      '/api/models/fits',
      '/api/models/members/{id}',
      '/api/models/scores/summary',
      '/api/models/scores',
      '/api/models/scores.csv',
      '/api/models/validation',
      '/api/products/bundles',
      '/api/products/rules',
      '/api/products/{sku}/bought-together',
      '/api/recommendations',
      '/api/reports/{report}',
      '/api/segments',
      '/api/segments/count',
      '/api/segments/preview',
      '/api/segments/{id}',
      '/api/segments/{id}/members.csv',
      '/api/segments/{id}/snapshots',
      '/api/settings',
      '/api/settings/{key}',
      '/api/trend',
    ];
    assert.deepEqual(Object.keys(doc.paths).sort(), routes.sort(), 'every API route, and only those');
    assert.ok('get' in doc.paths['/api/keys'] && 'post' in doc.paths['/api/keys'] && 'delete' in doc.paths['/api/keys/{id}'] && 'put' in doc.paths['/api/settings/{key}']);
    assert.deepEqual(doc.paths['/api/reports/{report}'].get.parameters.find((p: Record<string, unknown>) => p['name'] === 'period').schema.enum, ['week', 'month']);
    assert.equal((await app.inject({ url: '/api/docs' })).statusCode < 400, true);
  } finally {
    await app.close();
    s.close();
  }
});

test('console files: the built console, index.html for client routes, ECharts from its package, a plain page when not built', async () => {
  const s = await sandbox();
  const web = `${s.dir}/web`;
  mkdirSync(`${web}/assets`, { recursive: true });
  writeFileSync(`${web}/index.html`, '<!doctype html><title>console</title>');
  writeFileSync(`${web}/assets/app.js`, 'export const x = 1;');
  const app = await buildApp({ ops: s.ops, db: s.db, clock, webDir: web });
  const bare = await buildApp({ ops: s.ops, db: s.db, clock, webDir: `${s.dir}/nothing` });
  try {
    const index = await app.inject({ url: '/' });
    assert.equal(index.body, '<!doctype html><title>console</title>');
    assert.match(String(index.headers['content-type']), /text\/html/);
    assert.equal((await app.inject({ url: '/members/M1?x=1' })).body, index.body, 'client-side routes get the page');
    const js = await app.inject({ url: '/assets/app.js' });
    assert.equal(js.body, 'export const x = 1;');
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal((await app.inject({ url: '/../../etc/passwd' })).body, index.body, 'nothing outside the console folder');
    const echarts = await app.inject({ url: '/vendor/echarts.min.js' });
    assert.equal(echarts.statusCode, 200);
    assert.ok(echarts.body.length > 100_000 && echarts.body.includes('echarts'));
    const api404 = await app.inject({ url: '/api/nothing', headers: {} });
    assert.equal(api404.statusCode, 401, 'unknown API paths still need a key');
    const notBuilt = await bare.inject({ url: '/' });
    assert.equal(notBuilt.statusCode, 200);
    assert.match(notBuilt.body, /not built/);
  } finally {
    await app.close();
    await bare.close();
    s.close();
  }
});
