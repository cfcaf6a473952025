/**
 * The `loyalty` segment node over figures the loyalty domain publishes to the analytical store:
 * tier one of a list; balance, points expiring within 30 days and lifetime earned compared with a
 * value (a member without an account counts as 0); validation with paths; values always bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../core/db/index.js';
import { earnOrder, publishLoyalty, saveProgramme, spend } from '../loyalty/index.js';
import { sandbox } from '../testing/index.js';
import { movableClock, order, programme } from '../testing/loyalty.js';
import { compileSegment, validateRule } from './index.js';

const NOW = '2026-01-31T10:00:00.000Z';
const config = programme({
  programme_id: 'main',
  pending_days: 0,
  expiry: { model: 'days', days: 40 },
  tiers: {
    metric: 'qualifying_points',
    window: 'rolling_365',
    downgrade: 'one_step',
    grace_days: 0,
    levels: [
      { code: 'member', name: 'Member', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 1000 },
    ],
  },
});

async function members(db: Db, rule: unknown): Promise<string[]> {
  const v = validateRule(rule);
  assert.ok(v.ok, JSON.stringify(v));
  const c = compileSegment(v.rule, NOW.slice(0, 10));
  return (await db.all(`${c.sql} ORDER BY 1`, c.params)).map((r) => String(r['member_id']));
}

const CASES: Array<{ description: string; rule: unknown; expect: string[] }> = [
  { description: 'tier is one of', rule: { kind: 'loyalty', programme: 'main', field: 'tier', tiers: ['silver'] }, expect: ['A'] },
  { description: 'tier of another programme: nobody', rule: { kind: 'loyalty', programme: 'other', field: 'tier', tiers: ['silver'] }, expect: [] },
  { description: 'balance at least 1000', rule: { kind: 'loyalty', programme: 'main', field: 'balance', op: 'gte', value: 1000 }, expect: ['A'] },
  { description: 'balance under 100: members without an account count as 0', rule: { kind: 'loyalty', programme: 'main', field: 'balance', op: 'lt', value: '100' }, expect: ['C', 'D', 'E'] },
  { description: 'points expiring within 30 days', rule: { kind: 'loyalty', programme: 'main', field: 'expiring_30d', op: 'gt', value: 0 }, expect: ['A'] },
  { description: 'lifetime earned: spent points still count', rule: { kind: 'loyalty', programme: 'main', field: 'lifetime_earned', op: 'eq', value: 200 }, expect: ['D'] },
  { description: 'not silver', rule: { kind: 'not', rule: { kind: 'loyalty', programme: 'main', field: 'tier', tiers: ['silver'] } }, expect: ['B', 'C', 'D', 'E'] },
];

test('loyalty node: published figures select members (scenario table), and a new publication replaces the old', async () => {
  const s = await sandbox();
  const clock = movableClock(NOW);
  try {
    const ts = "TIMESTAMP '2025-01-01 00:00:00'";
    await s.db.run(
      `INSERT INTO members (member_id, anchor_identity_id, name, registered_at, first_seen, identity_count, updated_at) VALUES ${['A', 'B', 'C', 'D', 'E'].map((m, i) => `('${m}', ${i + 1}, '${m}', ${ts}, ${ts}, 1, ${ts})`).join(', ')}`,
    );
    await saveProgramme(s.ops, config, clock.now());
    const earn = async (who: { member_id: string } | { kind: 'phone'; value: string }, id: string, amount: string, paid = '2026-01-30T10:00:00.000Z'): Promise<void> => {
      const r = await earnOrder(s.ops, clock, 'main', { who, order: order(id, paid, [amount]), key: id });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
    };
    await earn({ member_id: 'A' }, 'a1', '1500', '2026-01-05T10:00:00.000Z'); // expires 14 February: within 30 days
    await earn({ member_id: 'B' }, 'b1', '300');
    await earn({ kind: 'phone', value: '13800138000' }, 'till-1', '5000'); // not joined to a member: not published
    await earn({ member_id: 'D' }, 'd1', '200');
    assert.ok((await spend(s.ops, clock, 'main', { who: { member_id: 'D' }, points: 200n, key: 'd-spend' })).ok);

    assert.deepEqual(await publishLoyalty(s.ops, s.db, clock), { main: 3 });
    for (const c of CASES) assert.deepEqual(await members(s.db, c.rule), c.expect, c.description);

    // B earns more; the next publication replaces the programme's rows.
    await earn({ member_id: 'B' }, 'b2', '900');
    await publishLoyalty(s.ops, s.db, clock);
    assert.equal(Number((await s.db.one("SELECT count(*) AS n FROM member_loyalty WHERE programme_id = 'main'"))?.['n']), 3);
    assert.deepEqual(await members(s.db, { kind: 'loyalty', programme: 'main', field: 'balance', op: 'gte', value: 1000 }), ['A', 'B']);
  } finally {
    s.close();
  }
});

test('loyalty node: values are bound, never written into the SQL', () => {
  const v = validateRule({ kind: 'loyalty', programme: "main'; DROP TABLE members; --", field: 'tier', tiers: ['gold', "x'y"] });
  assert.ok(v.ok);
  const c = compileSegment(v.rule, '2026-01-31');
  assert.doesNotMatch(c.sql, /DROP|gold|x'y/);
  assert.match(c.sql, /member_loyalty WHERE programme_id = \$2 AND tier IN/);
  assert.deepEqual(c.params.slice(1), ["main'; DROP TABLE members; --", '["gold","x\'y"]']);
});

test('loyalty node: bad nodes are refused with their JSON path', () => {
  const errors = (rule: unknown): unknown => {
    const v = validateRule(rule);
    return v.ok ? [] : v.errors;
  };
  assert.deepEqual(errors({ kind: 'and', rules: [{ kind: 'loyalty', field: 'tier', tiers: ['gold'] }] }), [
    { path: '$.rules[0].programme', reason: 'is required (the programme ID, for example "main")' },
  ]);
  assert.deepEqual(errors({ kind: 'loyalty', programme: 'main', field: 'points' }), [{ path: '$.field', reason: 'must be one of tier, balance, expiring_30d, lifetime_earned' }]);
  assert.deepEqual(errors({ kind: 'loyalty', programme: 'main', field: 'tier', op: 'eq', value: 'gold' }), [{ path: '$.op', reason: 'does not apply to tier: list the tier codes in "tiers"' }]);
  assert.deepEqual(errors({ kind: 'loyalty', programme: 'main', field: 'tier', tiers: [] }), [{ path: '$.tiers', reason: 'must be a non-empty list of tier codes' }]);
  assert.deepEqual(errors({ kind: 'loyalty', programme: 'main', field: 'balance', op: 'gte', value: 1.5 }), [{ path: '$.value', reason: 'must be a whole number of points' }]);
  assert.deepEqual(errors({ kind: 'loyalty', programme: 'main', field: 'balance', op: 'about', value: 10 }), [{ path: '$.op', reason: 'must be one of eq, ne, gt, gte, lt, lte' }]);
});
