import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { refresh } from '../analytics/index.js';
import { countSegment, createSegment, parseRule, previewSegment, snapshotSegment } from './index.js';

// Four buyers first seen on different days (the lifecycle report's scenario): a segment evaluated
// as of a date holds only members first seen by then, as lifecycle and migration count them.
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,o1,A,2024-01-10 10:00:00,2024-01-10 10:00:00,paid', // A: first seen 2024-01-10
  'web,o2,A,2024-03-01 10:00:00,2024-03-01 10:00:00,paid',
  'web,o3,B,2024-02-15 10:00:00,2024-02-15 10:00:00,paid', // B: first seen 2024-02-15
  'web,o4,C,2024-06-01 10:00:00,2024-06-01 10:00:00,paid', // C: first seen 2024-06-01
  'web,o5,D,2024-06-20 10:00:00,,created', // D: an order never paid, first seen 2024-06-20
];
const LINES = ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,X,1,20.00', 'web,o2,1,X,1,30.00', 'web,o3,1,X,1,40.00', 'web,o4,1,X,1,50.00', 'web,o5,1,X,1,60.00'];

test('segments at a past date hold only the members first seen by then (counts, previews, snapshots)', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    await refresh(s.db, clock, { asOf: '2024-06-30' }); // the purchase occasions segment rules read
    // Rules that members without any purchase satisfy: exactly where members not yet seen used to slip in.
    const never = parseRule({ kind: 'purchase', fact: 'purchases', op: 'lte', value: 0 });
    const notBuyer = parseRule({ kind: 'not', rule: { kind: 'purchase', fact: 'purchases', op: 'gte', value: 1 } });
    const everyone = parseRule({ kind: 'or', rules: [never, { kind: 'purchase', fact: 'purchases', op: 'gte', value: 1 }] });
    const scenarios: Array<{ description: string; asOf: string; rule: typeof never; expect: number }> = [
      { description: 'before anyone was seen: nobody, even for a rule everyone satisfies', asOf: '2023-12-31', rule: everyone, expect: 0 },
      { description: 'A and B seen, both bought: no member without a purchase (C and D did not exist yet)', asOf: '2024-03-01', rule: never, expect: 0 },
      { description: 'the same with a negation', asOf: '2024-03-01', rule: notBuyer, expect: 0 },
      { description: 'everyone as of 2024-03-01 is A and B', asOf: '2024-03-01', rule: everyone, expect: 2 },
      { description: 'C seen on 2024-06-01, D not yet', asOf: '2024-06-10', rule: everyone, expect: 3 },
      { description: 'D (first seen 2024-06-20, never paid) has no purchase', asOf: '2024-06-30', rule: never, expect: 1 },
      { description: 'all four by 2024-06-30', asOf: '2024-06-30', rule: everyone, expect: 4 },
    ];
    for (const sc of scenarios) assert.equal(await countSegment(s.db, sc.rule, sc.asOf), sc.expect, sc.description);

    const preview = await previewSegment(s.db, everyone, '2024-03-01');
    assert.equal(preview.members, 2);
    assert.equal(preview.base, 2, 'the base is the members first seen by the date');
    assert.deepEqual(preview.first.map((m) => m.member_id).length, 2);
    const later = await previewSegment(s.db, never, '2024-06-30');
    assert.deepEqual([later.members, later.base], [1, 4]);

    const seg = await createSegment(s.ops, clock, 'No purchase', never);
    assert.equal((await snapshotSegment(s.db, s.ops, clock, seg.segment_id, '2024-03-01')).size, 0, 'a snapshot at a past date');
    assert.equal((await snapshotSegment(s.db, s.ops, clock, seg.segment_id, '2024-06-30')).size, 1);
  } finally {
    s.close();
  }
});
