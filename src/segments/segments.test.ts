import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import type { Db } from '../core/db/index.js';
import { refreshOrderFacts } from '../ingest/index.js';
import { compileSegment, createSegment, deleteSegment, exportSegmentCsv, listSegments, parseRule, segmentHistory, snapshotSegment, validateRule, type SegmentRule } from './index.js';

const AS_OF = '2026-01-31';

/** Five members with hand-placed orders, events, returns, consents and stored analytics. */
async function fixture(db: Db): Promise<void> {
  const ts = "TIMESTAMP '2025-01-01 00:00:00'";
  await db.run(`INSERT INTO members (member_id, anchor_identity_id, name, gender, birthday, city, registration_channel, registered_at, first_seen, identity_count, updated_at) VALUES
    ('A', 1, 'Ann', 'F', DATE '1990-05-10', 'Shanghai', 'web', TIMESTAMP '2025-01-01 10:00:00', ${ts}, 1, ${ts}),
    ('B', 2, 'Bo', 'M', DATE '2000-02-01', 'Beijing', 'pos', TIMESTAMP '2026-01-20 10:00:00', ${ts}, 1, ${ts}),
    ('C', 3, 'Cai', 'F', NULL, 'Beijing', 'web', TIMESTAMP '2024-06-01 10:00:00', ${ts}, 1, ${ts}),
    ('D', 4, 'Dan', 'M', NULL, 'Shanghai', 'wechat', TIMESTAMP '2025-03-01 10:00:00', ${ts}, 1, ${ts}),
    ('E', 5, 'Eve', NULL, NULL, 'Hangzhou', 'web', TIMESTAMP '2025-03-01 10:00:00', ${ts}, 1, ${ts})`);
  await db.run(`INSERT INTO identities (identity_id, kind, scope, value, member_id) VALUES
    (1, 'account', 'web', 'a', 'A'), (2, 'account', 'web', 'b', 'B'), (3, 'account', 'web', 'c', 'C'),
    (4, 'account', 'web', 'd', 'D'), (5, 'account', 'web', 'e', 'E'), (6, 'phone', '', '13800000001', 'A')`);
  await db.run(`INSERT INTO products (sku, name, category_path, brand) VALUES ('P1', 'Sneaker', 'Women > Shoes', 'Acme'), ('P2', 'Shirt', 'Men > Shirts', 'Bolt')`);
  await db.run(`INSERT INTO orders (channel_id, order_id, buyer_id, created_at, paid_at, shipped_at, status) VALUES
    ('web', 'o1', 1, TIMESTAMP '2026-01-10 12:00:00', TIMESTAMP '2026-01-10 12:01:00', TIMESTAMP '2026-01-11 09:00:00', 'completed'),
    ('web', 'o2', 1, TIMESTAMP '2025-06-01 12:00:00', TIMESTAMP '2025-06-01 12:01:00', TIMESTAMP '2025-06-02 09:00:00', 'completed'),
    ('web', 'o3', 2, TIMESTAMP '2026-01-25 12:00:00', NULL, NULL, 'created'),
    ('web', 'o4', 3, TIMESTAMP '2026-01-28 12:00:00', TIMESTAMP '2026-01-28 12:05:00', NULL, 'paid')`);
  await db.run(`INSERT INTO order_lines (channel_id, order_id, line_no, sku, quantity, unit_price, amount, line_type) VALUES
    ('web', 'o1', 1, 'P1', 1, 100.00, 100.00, 'product'), ('web', 'o2', 1, 'P2', 1, 50.00, 50.00, 'product'),
    ('web', 'o3', 1, 'P1', 1, 100.00, 100.00, 'product'), ('web', 'o4', 1, 'P1', 1, 30.00, 30.00, 'product')`);
  await refreshOrderFacts(db); // written directly, not imported: bring the order totals up to date
  // What refresh stores for purchase facts, from the purchase_occasions view.
  await db.run('INSERT INTO member_occasions SELECT member_id, day, orders, value FROM purchase_occasions');
  await db.run(`INSERT INTO events (channel_id, event_id, actor_id, type, occurred_at, session_id, category, rating, direction) VALUES
    ('web', 'e1', 1, 'view', TIMESTAMP '2026-01-29 20:00:00', 's1', 'Women > Shoes', NULL, NULL),
    ('web', 'e2', 1, 'view', TIMESTAMP '2026-01-30 20:00:00', 's1', 'Women > Shoes', NULL, NULL),
    ('web', 'e3', 2, 'cart', TIMESTAMP '2026-01-26 10:00:00', 's2', NULL, NULL, NULL),
    ('web', 'e4', 4, 'cart', TIMESTAMP '2026-01-30 10:00:00', 's4', NULL, NULL, NULL),
    ('web', 'e5', 4, 'visit', TIMESTAMP '2026-01-20 10:00:00', 's9', NULL, NULL, NULL),
    ('web', 'e6', 5, 'inquiry', TIMESTAMP '2026-01-15 10:00:00', 's5', NULL, NULL, 'inbound'),
    ('web', 'e7', 1, 'review', TIMESTAMP '2026-01-12 10:00:00', NULL, NULL, 5, NULL),
    ('web', 'e8', 3, 'review', TIMESTAMP '2026-01-29 10:00:00', NULL, NULL, 1, NULL),
    ('web', 'e9', 3, 'share', TIMESTAMP '2026-01-29 11:00:00', NULL, NULL, NULL, NULL),
    ('web', 'e10', NULL, 'view', TIMESTAMP '2026-01-29 11:00:00', 's0', 'Women > Shoes', NULL, NULL)`);
  await db.run(`INSERT INTO returns (channel_id, return_id, line_no, order_id, buyer_id, sku, quantity, amount, line_type, returned_at) VALUES
    ('web', 'r1', 1, 'o4', 3, 'P1', 1, 30.00, 'product', TIMESTAMP '2026-01-29 15:00:00')`);
  await db.run(`INSERT INTO consents (anchor_id, contact_channel, status, changed_at) VALUES
    (1, 'email', 'granted', TIMESTAMP '2025-01-01 00:00:00'),
    (2, 'email', 'granted', TIMESTAMP '2025-01-01 00:00:00'), (2, 'email', 'withdrawn', TIMESTAMP '2026-01-05 00:00:00'),
    (4, 'sms', 'granted', TIMESTAMP '2026-02-10 00:00:00')`);
  await db.run(`INSERT INTO member_lifecycle VALUES
    (DATE '2025-12-31', 'A', 'Fan'), (DATE '2026-01-31', 'A', 'Regular'), (DATE '2026-01-31', 'B', 'Suspect'),
    (DATE '2026-01-31', 'C', 'New'), (DATE '2026-01-31', 'D', 'Prospect'), (DATE '2026-01-31', 'E', 'Prospect')`);
  await db.run(`INSERT INTO member_rfm VALUES
    (DATE '2026-01-31', 365, 'A', 21, 2, 150, 5, 5, 5, 'Champions', '重要价值客户'),
    (DATE '2026-01-31', 365, 'C', 3, 1, 30, 5, 1, 1, 'New Customers', '一般发展客户')`);
  await db.run(`INSERT INTO member_tags VALUES (DATE '2026-01-31', 'A', 'best_send_hour', '20', '5 of 9'), (DATE '2026-01-31', 'C', 'best_send_hour', '9', '2 of 3')`);
}

async function members(db: Db, rule: SegmentRule): Promise<string[]> {
  const c = compileSegment(rule, AS_OF);
  return (await db.all(`${c.sql} ORDER BY 1`, c.params)).map((r) => String(r['member_id']));
}

const CASES: Array<{ description: string; rule: unknown; expect: string[] }> = [
  { description: 'attribute: gender equals', rule: { kind: 'attribute', field: 'gender', op: 'eq', value: 'F' }, expect: ['A', 'C'] },
  { description: 'attribute: city in a list', rule: { kind: 'attribute', field: 'city', op: 'in', value: ['Shanghai', 'Hangzhou'] }, expect: ['A', 'D', 'E'] },
  { description: 'attribute: age on the as-of date (B turns 26 the day after: still 25)', rule: { kind: 'attribute', field: 'age', op: 'eq', value: 25 }, expect: ['B'] },
  { description: 'attribute: age at least 30', rule: { kind: 'attribute', field: 'age', op: 'gte', value: 30 }, expect: ['A'] },
  { description: 'attribute: registered in the last 30 days', rule: { kind: 'attribute', field: 'registered_days_ago', op: 'lte', value: 30 }, expect: ['B'] },
  { description: 'attribute: birthday month', rule: { kind: 'attribute', field: 'birthday_month', op: 'eq', value: 5 }, expect: ['A'] },
  { description: 'lifecycle: stage at the latest stored date', rule: { kind: 'lifecycle', stages: ['Prospect'] }, expect: ['D', 'E'] },
  { description: 'lifecycle: an older stage no longer applies', rule: { kind: 'lifecycle', stages: ['Fan'] }, expect: [] },
  { description: 'rfm: score ranges', rule: { kind: 'rfm', r: [5, 5], f: [4, 5] }, expect: ['A'] },
  { description: 'rfm: group of the 10-group map', rule: { kind: 'rfm', groups: ['New Customers'] }, expect: ['C'] },
  { description: 'rfm: group of the Chinese map', rule: { kind: 'rfm', groups_cn: ['重要价值客户'] }, expect: ['A'] },
  { description: 'behaviour: viewed a category (and below) at least twice in 7 days', rule: { kind: 'behaviour', event: 'view', days: 7, op: 'gte', count: 2, category: 'Women' }, expect: ['A'] },
  { description: 'behaviour: no cart in 30 days includes members without events', rule: { kind: 'behaviour', event: 'cart', days: 30, op: 'eq', count: 0 }, expect: ['A', 'C', 'E'] },
  { description: 'behaviour: the window ends on the as-of date (cart 5 days ago, window 3)', rule: { kind: 'behaviour', event: 'cart', days: 3, op: 'gte', count: 1 }, expect: ['D'] },
  { description: 'purchase: two or more occasions', rule: { kind: 'purchase', fact: 'purchases', op: 'gte', value: 2 }, expect: ['A'] },
  { description: 'purchase: spend below 40 includes non-buyers; unpaid orders do not count', rule: { kind: 'purchase', fact: 'spend', op: 'lt', value: '40' }, expect: ['B', 'C', 'D', 'E'] },
  { description: 'purchase: spend in the last 30 days', rule: { kind: 'purchase', fact: 'spend', op: 'gte', value: '100.00', days: 30 }, expect: ['A'] },
  { description: 'purchase: last purchase within a week', rule: { kind: 'purchase', fact: 'last_purchase_days_ago', op: 'lte', value: 7 }, expect: ['C'] },
  { description: 'purchase: first purchase more than 100 days ago', rule: { kind: 'purchase', fact: 'first_purchase_days_ago', op: 'gt', value: 100 }, expect: ['A'] },
  { description: 'bought: a category path and below (unpaid orders excluded)', rule: { kind: 'bought', category: 'Women' }, expect: ['A', 'C'] },
  { description: 'bought: a brand ever', rule: { kind: 'bought', brand: 'Bolt' }, expect: ['A'] },
  { description: 'bought: a brand in the last 30 days', rule: { kind: 'bought', brand: 'Bolt', days: 30 }, expect: [] },
  { description: 'journey: bounced (a session of one visit)', rule: { kind: 'journey', state: 'bounced', days: 30 }, expect: ['D'] },
  { description: 'journey: browsed, not ordered', rule: { kind: 'journey', state: 'browsed_not_ordered', days: 7 }, expect: ['A'] },
  { description: 'journey: carted, not ordered (B ordered in the window)', rule: { kind: 'journey', state: 'carted_not_ordered', days: 30 }, expect: ['D'] },
  { description: 'journey: asked, not ordered', rule: { kind: 'journey', state: 'asked_not_ordered', days: 30 }, expect: ['E'] },
  { description: 'journey: ordered, not paid', rule: { kind: 'journey', state: 'ordered_not_paid', days: 30 }, expect: ['B'] },
  { description: 'journey: awaiting delivery', rule: { kind: 'journey', state: 'awaiting_delivery', days: 30 }, expect: ['C'] },
  { description: 'journey: returned', rule: { kind: 'journey', state: 'returned', days: 7 }, expect: ['C'] },
  { description: 'journey: bad review', rule: { kind: 'journey', state: 'bad_review', days: 30 }, expect: ['C'] },
  { description: 'journey: good review', rule: { kind: 'journey', state: 'good_review', days: 30 }, expect: ['A'] },
  { description: 'journey: recommends others', rule: { kind: 'journey', state: 'recommends_others', days: 30 }, expect: ['C'] },
  { description: 'consent: granted', rule: { kind: 'consent', channel: 'email', status: 'granted' }, expect: ['A'] },
  { description: 'consent: the latest change wins', rule: { kind: 'consent', channel: 'email', status: 'withdrawn' }, expect: ['B'] },
  { description: 'consent: unknown (a grant after the as-of date does not count yet)', rule: { kind: 'consent', channel: 'sms', status: 'unknown' }, expect: ['A', 'B', 'C', 'D', 'E'] },
  { description: 'tag: best send hour', rule: { kind: 'tag', tag: 'best_send_hour', value: '20' }, expect: ['A'] },
  {
    description: 'and / not: women who are not New',
    rule: {
      kind: 'and',
      rules: [
        { kind: 'attribute', field: 'gender', op: 'eq', value: 'F' },
        { kind: 'not', rule: { kind: 'lifecycle', stages: ['New'] } },
      ],
    },
    expect: ['A'],
  },
  {
    description: 'or: returned or tagged',
    rule: {
      kind: 'or',
      rules: [
        { kind: 'journey', state: 'returned', days: 30 },
        { kind: 'tag', tag: 'best_send_hour', value: '20' },
      ],
    },
    expect: ['A', 'C'],
  },
  {
    description: 'not over a NULL attribute: members without a gender are "not F"',
    rule: { kind: 'not', rule: { kind: 'attribute', field: 'gender', op: 'eq', value: 'F' } },
    expect: ['B', 'D', 'E'],
  },
];

test('segment compiler: every node kind against scenario tables on DuckDB', async () => {
  const s = await sandbox();
  try {
    await fixture(s.db);
    for (const c of CASES) {
      const rule = parseRule(c.rule);
      assert.deepEqual(await members(s.db, rule), c.expect, c.description);
    }
    // Every node kind appears in the cases.
    const kinds = new Set<string>();
    const walk = (r: unknown): void => {
      if (typeof r !== 'object' || r === null) return;
      const o = Object(r);
      kinds.add(String(o.kind));
      if (Array.isArray(o.rules)) o.rules.forEach(walk);
      if (o.rule !== undefined) walk(o.rule);
    };
    CASES.forEach((c) => walk(c.rule));
    assert.deepEqual([...kinds].sort(), ['and', 'attribute', 'behaviour', 'bought', 'consent', 'journey', 'lifecycle', 'not', 'or', 'purchase', 'rfm', 'tag']);
  } finally {
    s.close();
  }
});

test('segment compiler: values are bound parameters, never SQL text', async () => {
  const hostile = "x'); DROP TABLE members; --";
  const rule = parseRule({
    kind: 'or',
    rules: [
      { kind: 'attribute', field: 'city', op: 'eq', value: hostile },
      { kind: 'attribute', field: 'city', op: 'in', value: [hostile] },
      { kind: 'behaviour', event: 'view', days: 7, op: 'gte', count: 1, category: hostile, sku: hostile },
      { kind: 'bought', category: hostile, brand: hostile },
      { kind: 'consent', channel: hostile, status: 'granted' },
      { kind: 'tag', tag: hostile, value: hostile },
      { kind: 'rfm', groups: [hostile] },
      { kind: 'lifecycle', stages: ['Fan'] },
    ],
  });
  const c = compileSegment(rule, AS_OF);
  assert.ok(!c.sql.includes('DROP'), 'no value in the SQL text');
  assert.ok(!c.sql.includes("'x"), 'no quoted value in the SQL text');
  assert.ok(
    c.params.some((p) => typeof p === 'string' && p.includes(hostile)),
    'values travel as parameters',
  );
  assert.equal(c.params[0], AS_OF);
  // Every placeholder has a parameter and every parameter a placeholder.
  const used = new Set([...c.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  assert.deepEqual(
    [...used].sort((a, b) => a - b),
    c.params.map((_, i) => i + 1),
  );
  const s = await sandbox();
  try {
    await fixture(s.db);
    assert.deepEqual(await members(s.db, rule), []);
    assert.equal(Number((await s.db.one('SELECT count(*) AS n FROM members'))?.['n']), 5, 'members still there');
  } finally {
    s.close();
  }
});

test('segment rules: validation names the JSON path and reason of every error', () => {
  const v = validateRule({
    kind: 'and',
    rules: [
      { kind: 'behaviour', event: 'teleport', days: 0, op: 'gte', count: 1 },
      { kind: 'rfm' },
      { kind: 'not', rule: { kind: 'lifecycle', stages: ['Champion'] } },
      { kind: 'attribute', field: 'age', op: 'gte', value: 'old' },
      { kind: 'purchase', fact: 'spend', op: 'gt', value: '12.345678' },
      { kind: 'wat' },
    ],
  });
  assert.equal(v.ok, false);
  const errors = v.ok ? [] : v.errors.map((e) => e.path);
  assert.deepEqual(errors, ['$.rules[0].event', '$.rules[0].days', '$.rules[1]', '$.rules[2].rule.stages', '$.rules[3].value', '$.rules[4].value', '$.rules[5].kind']);
  assert.equal(validateRule({ kind: 'and', rules: [] }).ok, false);
  assert.equal(validateRule('segment').ok, false);
  // Too wide to evaluate in reasonable time: refused up front, before any SQL runs.
  const cond = (i: number) => ({ kind: 'behavior', event: 'view', op: 'gte', count: 1, days: (i % 30) + 1 });
  const wide = validateRule({ kind: 'or', rules: Array.from({ length: 600 }, (_, i) => cond(i)) });
  assert.equal(wide.ok, false);
  assert.match(wide.ok ? '' : (wide.errors[0]?.reason ?? ''), /has 600 conditions; at most 100/);
  const nested = validateRule({ kind: 'and', rules: [{ kind: 'not', rule: { kind: 'or', rules: Array.from({ length: 101 }, (_, i) => cond(i)) } }] });
  assert.equal(nested.ok, false, 'conditions are counted through and, or and not');
  assert.equal(
    validateRule({ kind: 'or', rules: Array.from({ length: 100 }, (_, i) => ({ kind: 'lifecycle', stages: [i % 2 === 0 ? 'Fan' : 'New'] })) }).ok,
    true,
    '100 conditions are still evaluated',
  );
});

test('saved segments: snapshots keep membership and size history; CSV export; delete', async () => {
  const s = await sandbox();
  try {
    await fixture(s.db);
    const seg = await createSegment(s.ops, clock, 'Women', parseRule({ kind: 'attribute', field: 'gender', op: 'eq', value: 'F' }));
    assert.match(seg.segment_id, /^S[0-9A-F]{10}$/);
    const first = await snapshotSegment(s.db, s.ops, clock, seg.segment_id, AS_OF);
    assert.equal(first.size, 2);
    await s.db.run("UPDATE members SET gender = 'F' WHERE member_id = 'E'");
    const second = await snapshotSegment(s.db, s.ops, clock, seg.segment_id, AS_OF);
    assert.equal(second.size, 3);
    assert.deepEqual(
      (await segmentHistory(s.db, s.ops, seg.segment_id)).map((r) => Number(r['size'])),
      [2, 3],
    );
    const frozen = await s.db.all('SELECT member_id FROM segment_members WHERE snapshot_id = $1 ORDER BY 1', [first.snapshot_id]);
    assert.deepEqual(
      frozen.map((r) => r['member_id']),
      ['A', 'C'],
      'the first snapshot is unchanged',
    );
    const csv = await exportSegmentCsv(s.db, s.ops, clock, seg.segment_id, AS_OF);
    assert.equal(csv, '\uFEFFmember_id,name,phone,email\nA,Ann,13800000001,\nC,Cai,,\nE,Eve,,\n', 'a BOM first, so Excel reads UTF-8');
    assert.deepEqual(
      (await listSegments(s.ops, s.db)).map((r) => [r['name'], Number(r['last_size'])]),
      [['Women', 3]],
    );
    assert.equal(await deleteSegment(s.ops, s.db, seg.segment_id), true);
    assert.equal(Number((await s.db.one('SELECT count(*) AS n FROM segment_members'))?.['n']), 0);
    assert.equal(await deleteSegment(s.ops, s.db, seg.segment_id), false);
  } finally {
    s.close();
  }
});
