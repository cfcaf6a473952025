import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clock, sandbox } from '../testing/index.js';
import { analyze } from '../analytics/index.js';
import { generate } from '../generate/index.js';

const EVENTS = [
  'channel,event_id,type,at,buyer_id,session_id,agent_id,direction,word_count,rating,text,order_id',
  // m1, session 1 (agent A1): first reply after 120 s; turns of 120 s and 300 s.
  'web,e1,inquiry,2024-06-03 10:00:00,m1,,,inbound,,,你好，这个有货吗,',
  'web,e2,inquiry,2024-06-03 10:02:00,m1,,A1,outbound,,,有的，今天下单明天发货,', // 11 characters
  'web,e3,inquiry,2024-06-03 10:03:00,m1,,,inbound,,,ok,',
  'web,e4,inquiry,2024-06-03 10:08:00,m1,,A1,outbound,,,Yes we ship tomorrow,', // 4 words
  // m1, session 2 after a 52-minute gap (agent A2): reply after 600 s, 20 words.
  'web,e5,inquiry,2024-06-03 11:00:00,m1,,,inbound,5,,,',
  'web,e6,inquiry,2024-06-03 11:10:00,m1,,A2,outbound,20,,,',
  // m2 (A1): 60 s, 1 word.
  'web,e7,inquiry,2024-06-03 20:00:00,m2,,,inbound,3,,,',
  'web,e8,inquiry,2024-06-03 20:01:00,m2,,A1,outbound,,,sure,',
  // m3: never answered.
  'web,e9,inquiry,2024-06-04 09:00:00,m3,,,inbound,4,,,',
  // An anonymous visitor (A2): 300 s, 10 words.
  'web,e10,inquiry,2024-06-04 12:00:00,,x1,,inbound,4,,,',
  'web,e11,inquiry,2024-06-04 12:05:00,,x1,A2,outbound,10,,,',
  // m4 (A2): 180 s, 8 words; never buys.
  'web,e12,inquiry,2024-06-05 15:00:00,m4,,,inbound,4,,,',
  'web,e13,inquiry,2024-06-05 15:03:00,m4,,A2,outbound,8,,,',
  // Reviews follow their orders.
  'web,r1,review,2024-06-10 10:00:00,m1,,,,,5,great,q1',
  'web,r2,review,2024-06-10 10:00:00,m2,,,,,1,bad,q3',
];
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,q1,m1,2024-06-04 08:55:00,2024-06-04 09:00:00,paid', // 21h50 after session 2 (A2)
  'web,q2,m1,2024-06-08 12:00:00,2024-06-08 12:00:00,paid', // more than 72 h after: nobody's
  'web,q3,m2,2024-06-05 19:50:00,2024-06-05 20:00:00,paid', // 48 h after m2's session (A1)
  'web,q4,m3,2024-06-04 10:00:00,2024-06-04 10:00:00,paid', // m3 was never answered
];
const LINES = ['channel,order_id,line_no,sku,quantity,unit_price', 'web,q1,1,S,1,100.00', 'web,q2,1,S,1,70.00', 'web,q3,1,S,1,50.00', 'web,q4,1,S,1,30.00'];

test('service: sessions, first agent, 72-hour conversion, attribution once, response times, words per reply, reviews', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('events.csv', EVENTS.join('\n')));
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    const doc = await analyze(s.db, clock, 'service', { from: '2024-06-01', to: '2024-06-30' });
    assert.deepEqual(doc.result['totals'], { sessions: 6, unanswered_sessions: 1, anonymous_sessions: 1 });
    assert.deepEqual(doc.result['agents'], [
      {
        // A2: m1's second session, the anonymous one, m4's; m1 converted (q1), m4 did not: 1/2.
        agent: 'A2',
        sessions: 3,
        members: 2,
        converted_members: 1,
        inquiry_conversion: 0.5,
        orders: 1,
        sales: '100.0000',
        order_value: '100.0000',
        first_response_seconds: 360,
        response_seconds: 360,
        replies: 3,
        words_per_reply: 12.67,
        good_reviews: 1,
        bad_reviews: 0,
      },
      {
        // A1: m1's first session (q1 was paid within 72 h of it too: m1 converted) and m2's;
        // q1 goes to m1's last session before it (A2's), q3 to A1. Turns 120, 300, 60 s.
        agent: 'A1',
        sessions: 2,
        members: 2,
        converted_members: 2,
        inquiry_conversion: 1,
        orders: 1,
        sales: '50.0000',
        order_value: '50.0000',
        first_response_seconds: 90,
        response_seconds: 160,
        replies: 3,
        words_per_reply: 5.33,
        good_reviews: 0,
        bad_reviews: 1,
      },
    ]);
    // The weekly review carries the league table.
    const review = await analyze(s.db, clock, 'review', { from: '2024-06-01', to: '2024-06-07' });
    const md = String(review.result['markdown']);
    assert.match(md, /## Customer service: agents/);
    assert.match(md, /\| A2 \| 3 \| 50\.0% \| 100\.00 \| 100\.00 \| 360 \| 12\.67 \| 1 \/ 0 \|/);
    assert.match(md, /\| A1 \| 2 \| 100\.0% \| 50\.00 \| 50\.00 \| 90 \| 5\.33 \| 0 \/ 1 \|/);
  } finally {
    s.close();
  }
});

test('service on generated demo data: every attributed order once, conversion within bounds, sessions add up', async () => {
  const s = await sandbox();
  try {
    const g = await generate({ members: 1200, days: 400, seed: 'service', out: join(s.dir, 'gen'), start: '2024-01-01' });
    for (const stem of ['orders', 'order_lines', 'events']) await s.import(g.files[stem]?.path ?? '');
    const doc = await analyze(s.db, clock, 'service', { from: '2024-09-01', to: '2024-11-30' });
    const agents = doc.result['agents'] as Array<Record<string, number | string>>;
    const totals = doc.result['totals'] as Record<string, number>;
    assert.ok(agents.length >= 5);
    assert.equal(
      agents.reduce((a, x) => a + Number(x['sessions']), 0),
      Number(totals['sessions']) - Number(totals['unanswered_sessions']),
    );
    for (const a of agents) {
      assert.ok(Number(a['converted_members']) <= Number(a['members']));
      assert.ok(Number(a['first_response_seconds']) > 0 && Number(a['words_per_reply']) > 0);
    }
    // Sales of the league table = the purchases paid within 72 h of an answered session that
    // started in the period, each counted once, computed here without the report's tables.
    const truth = await s.db.one(
      `WITH m AS (SELECT i.member_id, e.occurred_at AS t, e.direction, e.agent_id, e.event_id FROM events e JOIN identities i ON i.identity_id = e.actor_id WHERE e.type = 'inquiry'),
       p AS (SELECT *, lag(t) OVER (PARTITION BY member_id ORDER BY t, event_id) AS before FROM m),
       g AS (SELECT *, sum(CASE WHEN t - before <= INTERVAL 30 MINUTE THEN 0 ELSE 1 END) OVER (PARTITION BY member_id ORDER BY t, event_id ROWS UNBOUNDED PRECEDING) AS k FROM p),
       s AS (SELECT member_id, k, min(t) AS s0, max(t) AS s1, bool_or(direction = 'outbound') AS answered FROM g GROUP BY ALL),
       o AS (SELECT o.order_id, o.channel_id, o.product_value,
               (SELECT arg_max(s.s0, s.s1) FROM s WHERE s.member_id = o.member_id AND s.answered AND s.s1 <= coalesce(o.paid_at, o.created_at)) AS start_of_last,
               (SELECT max(s.s1) FROM s WHERE s.member_id = o.member_id AND s.answered AND s.s1 <= coalesce(o.paid_at, o.created_at)) AS end_of_last,
               coalesce(o.paid_at, o.created_at) AS paid
             FROM order_values o WHERE o.is_purchase AND o.member_id IS NOT NULL)
       SELECT sum(product_value)::VARCHAR AS v, count(*) AS n FROM o
       WHERE paid <= end_of_last + INTERVAL 72 HOUR AND start_of_last >= DATE '2024-09-01' AND start_of_last < DATE '2024-12-01'`,
    );
    const sum = agents.reduce((a, x) => a + BigInt(String(x['sales']).replace('.', '')), 0n);
    assert.equal(sum, BigInt(String(truth?.['v']).replace('.', '')));
    assert.equal(
      agents.reduce((a, x) => a + Number(x['orders']), 0),
      Number(truth?.['n']),
    );
  } finally {
    s.close();
  }
});
