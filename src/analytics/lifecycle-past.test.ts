import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { analyze } from './index.js';
import { createSegment, parseRule } from '../segments/index.js';

// Members first seen on different days: as of a date only those seen by then get a stage.
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,o1,A,2024-01-10 10:00:00,2024-01-10 10:00:00,paid', // A: first seen 2024-01-10
  'web,o2,A,2024-03-01 10:00:00,2024-03-01 10:00:00,paid',
  'web,o3,B,2024-02-15 10:00:00,2024-02-15 10:00:00,paid', // B: first seen 2024-02-15
  'web,o4,C,2024-06-01 10:00:00,2024-06-01 10:00:00,paid', // C: first seen 2024-06-01
  'web,o5,D,2024-06-20 10:00:00,,created', // D: an order never paid, first seen 2024-06-20
];
const LINES = ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,X,1,20.00', 'web,o2,1,X,1,30.00', 'web,o3,1,X,1,40.00', 'web,o4,1,X,1,50.00', 'web,o5,1,X,1,60.00'];

const stagesOf = async (s: Awaited<ReturnType<typeof sandbox>>, asOf: string): Promise<Record<string, number>> => {
  const doc = await analyze(s.db, clock, 'lifecycle', { asOf });
  const rows = doc.result['stages'] as Array<{ stage: string; members: number | bigint }>;
  return Object.fromEntries(rows.map((r) => [r.stage, Number(r.members)]));
};

test('lifecycle at past dates counts only the members first seen by then', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    const scenarios: Array<{ description: string; asOf: string; expect: Record<string, number> }> = [
      { description: 'before anyone was seen: no member at all', asOf: '2023-12-31', expect: {} },
      { description: 'A only, a new buyer', asOf: '2024-01-20', expect: { New: 1 } },
      { description: 'A and B, both new (B seen 2024-02-15)', asOf: '2024-02-20', expect: { New: 2 } },
      { description: 'A a regular, B holding; C not yet seen', asOf: '2024-05-01', expect: { Regular: 1, Holding: 1 } },
      { description: 'all four: A and B past 90 days (Holding), C new, D without a purchase or engagement (Suspect)', asOf: '2024-06-30', expect: { Holding: 2, New: 1, Suspect: 1 } },
    ];
    for (const sc of scenarios) assert.deepEqual(await stagesOf(s, sc.asOf), sc.expect, sc.description);
    // A segment of a stage as of a past date holds only members who existed then.
    const seg = await createSegment(s.ops, clock, 'New buyers', parseRule({ kind: 'lifecycle', stages: ['New'] }));
    const scoped = await analyze(s.db, clock, 'lifecycle', { definitions: s.ops, asOf: '2024-02-20', segment: seg.segment_id });
    assert.equal(Number((scoped.result['scope'] as { members: number }).members), 2, 'the two members new on 2024-02-20');
    // Migration between two dates leaves out members not yet seen at the later date.
    const mig = await analyze(s.db, clock, 'migration', { from: '2024-01-20', asOf: '2024-02-20' });
    const total = (mig.result['matrix'] as Array<{ members: number | bigint }>).reduce((a, r) => a + Number(r.members), 0);
    assert.equal(total, 1, 'only A existed on both dates');
  } finally {
    s.close();
  }
});

test("RFM under a segment shows each member's whole-base scores unless ranked within the segment", async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    const seg = await createSegment(s.ops, clock, 'Holding', parseRule({ kind: 'lifecycle', stages: ['Holding'] }));
    await analyze(s.db, clock, 'lifecycle', { asOf: '2024-06-30' });
    const base = await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' });
    const scoped = await analyze(s.db, clock, 'rfm', { definitions: s.ops, asOf: '2024-06-30', segment: seg.segment_id });
    const ranked = await analyze(s.db, clock, 'rfm', { definitions: s.ops, asOf: '2024-06-30', segment: seg.segment_id, rank: 'segment' });
    const cells = (doc: typeof base): string => JSON.stringify((doc.result['grid'] as Array<Record<string, unknown>>).map((g) => [Number(g['r_score']), Number(g['f_score']), Number(g['members'])]));
    // The whole base: A (2 occasions), B and C; the segment (Holding on 2024-06-30): A and B.
    const stored = await s.db.all(
      `SELECT r.r_score, r.f_score, count(*) AS members FROM member_rfm r JOIN member_lifecycle l ON l.member_id = r.member_id AND l.as_of = r.as_of
       WHERE r.as_of = DATE '2024-06-30' AND l.stage = 'Holding' GROUP BY ALL ORDER BY 1, 2`,
    );
    assert.equal(Number((scoped.result['scope'] as { members: number }).members), 2, JSON.stringify(scoped.result));
    assert.equal(cells(scoped), JSON.stringify(stored.map((g) => [Number(g['r_score']), Number(g['f_score']), Number(g['members'])])), "the segment's members with their whole-base scores");
    assert.equal(scoped.params['rank'], 'base');
    assert.notEqual(cells(ranked), cells(scoped), 'ranking within the two members gives other scores');
    assert.equal(Number((base.result['totals'] as Record<string, unknown>)['buyers']), 3);
  } finally {
    s.close();
  }
});
