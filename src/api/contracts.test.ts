import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { clock, sandbox } from '../testing/index.js';
import { buildApp, createKey } from './index.js';
import { refresh } from '../analytics/index.js';
import { MemberHitsSchema, REPORT_RESULTS, reportDocumentSchema, SegmentPreviewSchema, TrendSchema } from '../contracts/index.js';
import { generate } from '../generate/index.js';

FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));

const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,o1,A,2024-01-10 10:00:00,2024-01-10 10:00:00,paid',
  'web,o2,A,2025-01-12 10:00:00,2025-01-12 10:00:00,paid',
  'web,o3,B,2025-02-15 10:00:00,2025-02-15 10:00:00,paid',
];
const LINES = ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,X,1,20.00', 'web,o2,1,X,2,30.50', 'web,o3,1,X,1,40.00'];

test('shared contracts: the API answers match their schemas and OpenAPI publishes them', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
  try {
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    await refresh(s.db, clock, { asOf: '2025-02-20' }); // the purchase occasions segment rules read
    const { key } = await createKey(s.ops, clock, 'admin', 'test');
    const headers = { authorization: `Bearer ${key}` };
    const trend = (await app.inject({ url: '/api/trend?as_of=2025-02-20&grain=month&periods=14', headers })).json<unknown>();
    assert.ok(Value.Check(TrendSchema, trend), JSON.stringify([...Value.Errors(TrendSchema, trend)].slice(0, 3)));
    const points = (trend as { points: Array<{ from: string; gross_sales: string; last_year: { gross_sales: string | null } }> }).points;
    assert.equal(points.length, 14);
    assert.deepEqual(
      points.find((p) => p.from === '2025-01-01'),
      { ...points.find((p) => p.from === '2025-01-01'), gross_sales: '61.0000', last_year: { ...points.find((p) => p.from === '2025-01-01')?.last_year, gross_sales: '20.0000' } },
      'January 2025 against January 2024',
    );
    assert.equal(points.find((p) => p.from === '2024-01-01')?.last_year.gross_sales, null, 'January 2023 lies before the data: no data, not zero');
    const preview = (
      await app.inject({ method: 'POST', url: '/api/segments/preview?as_of=2025-02-20', headers, payload: { kind: 'purchase', fact: 'purchases', op: 'gte', value: 1 } })
    ).json<unknown>();
    assert.ok(Value.Check(SegmentPreviewSchema, preview), JSON.stringify([...Value.Errors(SegmentPreviewSchema, preview)].slice(0, 3)));
    assert.equal((preview as { members: number; base: number }).members, 2);
    const hits = (await app.inject({ url: '/api/members?q=o3', headers })).json<unknown>();
    assert.ok(Value.Check(MemberHitsSchema, hits), JSON.stringify(hits));
    assert.equal((hits as { members: unknown[] }).members.length, 1, 'found by its order ID');
    const openapi = (await app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>>;
    }>();
    const schemaOf = (path: string, method: string): Record<string, unknown> | undefined => openapi.paths[path]?.[method]?.responses['200']?.content['application/json']?.schema.properties;
    assert.ok(schemaOf('/api/trend', 'get')?.['points'] !== undefined, 'the trend schema is published');
    assert.ok(schemaOf('/api/segments/preview', 'post')?.['reachable'] !== undefined, 'the preview schema is published');
  } finally {
    await app.close();
    s.close();
  }
});

test('report contracts: every report the console reads answers by its schema, on an empty database and on a generated merchant', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
  try {
    const { key } = await createKey(s.ops, clock, 'admin', 'test');
    const headers = { authorization: `Bearer ${key}` };
    const check = async (when: string, query: string): Promise<Record<string, unknown>> => {
      const seen: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(REPORT_RESULTS)) {
        const res = await app.inject({ url: `/api/reports/${name}?${query}`, headers });
        assert.equal(res.statusCode, 200, `${when} ${name}: ${res.body.slice(0, 300)}`);
        const doc = res.json<{ report: string; result: unknown }>();
        assert.ok(Value.Check(reportDocumentSchema(schema), doc), `${when} ${name}: ${JSON.stringify([...Value.Errors(reportDocumentSchema(schema), doc)].slice(0, 3))}`);
        assert.equal(doc.report, name);
        seen[name] = doc.result;
      }
      return seen;
    };
    await check('empty database', 'as_of=2025-02-20');
    const g = await generate({ members: 300, days: 420, seed: 'contracts', out: `${s.dir}/gen`, start: '2024-01-01' });
    for (const stem of ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events']) await s.import(g.files[stem]?.path ?? '');
    await refresh(s.db, clock);
    const filled = await check('generated merchant', 'period=month');
    // Not vacuous: the filled answers hold rows the schemas describe.
    const review = filled['review'] as { facts: { buyers: { orders: number | string }; moved: unknown[]; migration: { moves: unknown[] } } };
    assert.ok(Number(review.facts.buyers.orders) > 0, 'the review counts the period orders');
    assert.ok(review.facts.moved.length === 2, 'against the previous period and last year');
    assert.ok((filled['links'] as { links: unknown[] }).links.length === 7);
    assert.ok((filled['matrix'] as { products: unknown[] }).products.length > 0);
    // A wrong shape is caught: a count written as a float and a money amount as a number fail.
    assert.equal(Value.Check(REPORT_RESULTS.lifecycle, { stages: [{ stage: 'New', members: 1.5 }] }), false);
    assert.equal(Value.Check(REPORT_RESULTS.kpi, { ...(filled['kpi'] as object), summary: { current: { gross_sales: 12.5 } } }), false);
    const openapi = (await app.inject({ url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>> }>();
    const published = JSON.stringify(openapi.paths['/api/reports/{report}']?.['get']?.responses['200']?.content['application/json']?.schema ?? {});
    for (const field of ['weakest_link', 'second_purchase', 'groups_cn', 'facts', 'agents']) assert.ok(published.includes(`"${field}"`), `the report schemas are published (${field})`);
  } finally {
    await app.close();
    s.close();
  }
});
