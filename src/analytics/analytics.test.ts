import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { findMember, memberView } from '../members/index.js';
import { analyze, refresh } from './index.js';
import { setSetting } from '../core/settings/index.js';
import { createSegment, parseRule, updateSegment } from '../segments/index.js';

// Hand-computed scenario, as of 2024-06-30 (see the comments for each expectation).
const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,a1,A,2024-05-01 10:00:00,2024-05-01 10:00:00,paid',
  'shop,a2,sA,2024-06-30 09:00:00,2024-06-30 09:00:00,paid', // A's second account (merged by phone later)
  'shop,a3,sA,2024-06-30 15:00:00,2024-06-30 15:00:00,paid', // same day: one occasion
  'web,b1,B,2024-01-15 10:00:00,2024-01-15 10:00:00,paid',
  'web,b2,B,2024-02-20 10:00:00,2024-02-20 10:00:00,paid', // 36 days later: a 45-day second purchase
  'web,c1,C,2023-05-01 10:00:00,2023-05-01 10:00:00,paid', // outside the RFM window
  'web,d1,D,2024-06-01 10:00:00,,created', // never paid: not a purchase
  'web,e1,E,2024-06-20 10:00:00,2024-06-20 10:00:00,paid',
  'web,g1,,2024-06-10 10:00:00,2024-06-10 10:00:00,paid', // guest
];
const LINES = [
  'channel,order_id,line_no,sku,quantity,unit_price',
  'web,a1,1,X,1,20.00',
  'shop,a2,1,X,1,10.00',
  'shop,a3,1,X,1,5.00',
  'web,b1,1,X,2,50.00',
  'web,b2,1,X,1,40.00',
  'web,c1,1,X,1,60.00',
  'web,d1,1,X,1,30.00',
  'web,e1,1,X,1,50.00',
  'web,g1,1,X,1,70.00',
];
const RETURNS = [
  'channel,return_id,line_no,order_id,order_line_no,buyer_id,sku,quantity,amount,returned_at',
  'web,r1,1,b1,1,B,X,1,30.00,2024-02-01 10:00:00',
  'web,r2,1,e1,1,E,X,1,50.00,2024-06-25 10:00:00',
  'web,r3,1,,,E,Y,1,10.00,2024-06-26 10:00:00', // unmatched: E's net sales go below zero, floored
  'web,r4,1,,,R0,Y,1,15.00,2024-06-01 10:00:00', // a member with only returns
];

async function scenario(): Promise<Awaited<ReturnType<typeof sandbox>>> {
  const s = await sandbox();
  await s.import(s.write('orders.csv', ORDERS.join('\n')));
  await s.import(s.write('order_lines.csv', LINES.join('\n')));
  await s.import(s.write('returns.csv', RETURNS.join('\n')));
  await s.import(
    s.write(
      'members.csv',
      ['channel,external_id,phone,registered_at', 'web,A,13800000001,2024-04-01 00:00:00', 'shop,sA,13800000001,2024-06-01 00:00:00', 'web,G,,2024-03-01 00:00:00', 'web,F,,2024-03-01 00:00:00'].join(
        '\n',
      ),
    ),
  );
  await s.import(s.write('events.csv', ['channel,event_id,type,at,buyer_id', 'web,v1,view,2024-05-05 10:00:00,F'].join('\n')));
  return s;
}

test('RFM: recency, occasions, net sales floored at 0, percent-rank scores, both group maps', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' });
    const rows = await s.db.all('SELECT * EXCLUDE (as_of, window_days) FROM member_rfm ORDER BY member_id');
    const byRef = async (ref: string): Promise<Record<string, unknown> | undefined> => {
      const id = await findMember(s.db, ref);
      return rows.find((r) => r['member_id'] === id);
    };
    // A: last occasion on the as-of day, 2 occasions (05-01; 06-30 with two orders), 20+10+5 = 35.
    // B: last 2024-02-20 = 131 days before, 2 occasions, 100+40-30 = 110.
    // E: 10 days, 1 occasion, 50-50-10 < 0 -> 0. C bought outside the window; D never paid.
    const pick = (r: Record<string, unknown> | undefined): unknown[] => [
      r?.['recency'],
      r?.['frequency'],
      r?.['monetary'],
      r?.['r_score'],
      r?.['f_score'],
      r?.['m_score'],
      r?.['segment'],
      r?.['group_cn'],
    ];
    assert.equal(rows.length, 3);
    // Ranks (n = 3): R desc B,E,A -> 1,3,5; F asc E | A=B tie -> 1 | 3,3; M asc E,A,B -> 1,3,5.
    // Means: R 47, F 5/3, M 48.33.
    assert.deepEqual(pick(await byRef('web:A')), [0, 2, '35.0000', 5, 3, 3, 'Potential loyalist', '一般价值']);
    assert.deepEqual(pick(await byRef('web:B')), [131, 2, '110.0000', 1, 3, 5, 'At risk', '重要保持']);
    assert.deepEqual(pick(await byRef('web:E')), [10, 1, '0.0000', 3, 1, 1, 'About to sleep', '一般发展']);
    const totals = doc.result['totals'] as Record<string, unknown>;
    assert.equal(totals['buyers'], '3');
    assert.equal(totals['monetary'], '145.0000');
    assert.ok(Array.isArray(doc.params['rules']) && doc.params['window_days'] === 365, 'the report prints its thresholds');
    const again = await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' });
    assert.equal(again.from_store, true, 'reading again does not recompute');
    assert.deepEqual(again.result, JSON.parse(JSON.stringify(doc.result)));
  } finally {
    s.close();
  }
});

test('repeat: 45-day second purchase by monthly cohort, left-censoring, active repeat, retention and repeat rates', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'repeat', { asOf: '2024-06-30', period: 'month' });
    // Cohorts: 2023-05 (C, the data's first period), 2024-01 (B, second purchase 36 days later);
    // 2024-05 (A) and 2024-06 (E) have not had their 45 days yet.
    assert.deepEqual(doc.result['second_purchase'], [
      { cohort: '2023-05-01', cohort_end: '2023-05-31', new_buyers: '1', second_buyers: '0', rate: '0.0000', left_censored: true, target: null },
      { cohort: '2024-01-01', cohort_end: '2024-01-31', new_buyers: '1', second_buyers: '1', rate: '1.0000', left_censored: false, target: null },
    ]);
    // Window 2024-05-17..06-30: only B has 2+ occasions before it (and one in the 365 days before); B did not buy in it.
    assert.deepEqual(doc.result['active_repeat'], { eligible: '1', repeated: '0', rate: '0.0000', target: null });
    await setSetting(s.db, clock, 'analysis.second_purchase_days', 30);
    const shorter = await analyze(s.db, clock, 'repeat', { asOf: '2024-06-30', period: 'month' });
    assert.equal(shorter.params['second_purchase_days'], 30, 'thresholds are settings in the database');
    // B's second purchase came 36 days after the first: not within 30.
    assert.equal((shorter.result['second_purchase'] as Array<Record<string, unknown>>).find((c) => c['cohort'] === '2024-01-01')?.['second_buyers'], '0');
    const periods = doc.result['periods'] as Array<Record<string, unknown>>;
    assert.equal(periods.length, 14, '2023-05 .. 2024-06, empty months included');
    const at = (p: string): Record<string, unknown> | undefined => periods.find((x) => x['period'] === p);
    assert.deepEqual(at('2024-02-01'), {
      period: '2024-02-01',
      buyers: '1',
      repeat_buyers: '0',
      previous_buyers: '1',
      retained: '1',
      repeat_rate: '0.0000',
      retention_rate: '1.0000',
      retention_target: null,
      repeat_target: null,
    });
    assert.deepEqual(at('2024-03-01'), {
      period: '2024-03-01',
      buyers: '0',
      repeat_buyers: '0',
      previous_buyers: '1',
      retained: '0',
      repeat_rate: null,
      retention_rate: '0.0000',
      retention_target: null,
      repeat_target: null,
    });
    // June: A (two orders on one day = one occasion, so not a repeat) and E; May's buyer A retained.
    assert.deepEqual(at('2024-06-01'), {
      period: '2024-06-01',
      buyers: '2',
      repeat_buyers: '0',
      previous_buyers: '1',
      retained: '1',
      repeat_rate: '0.0000',
      retention_rate: '1.0000',
      retention_target: null,
      repeat_target: null,
    });
  } finally {
    s.close();
  }
});

test('cohorts: members and revenue by cohort and months since the first occasion', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'cohorts', { asOf: '2024-06-30', period: 'month' });
    // C 2023-05: 60; B 2024-01: 100 then February 40; A 2024-05: 20 then June 10+5; E 2024-06: 50.
    assert.deepEqual(
      (doc.result['matrix'] as Array<Record<string, unknown>>).map((r) => [r['cohort'], r['size'], r['periods_since'], r['members'], r['member_rate'], r['revenue']]),
      [
        ['2023-05-01', '1', '0', '1', '1.0000', '60.0000'],
        ['2024-01-01', '1', '0', '1', '1.0000', '100.0000'],
        ['2024-01-01', '1', '1', '1', '1.0000', '40.0000'],
        ['2024-05-01', '1', '0', '1', '1.0000', '20.0000'],
        ['2024-05-01', '1', '1', '1', '1.0000', '15.0000'],
        ['2024-06-01', '1', '0', '1', '1.0000', '50.0000'],
      ],
    );
  } finally {
    s.close();
  }
});

test('migration: stage-to-stage matrix between two dates with positive and negative totals', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'migration', { from: '2024-05-31', to: '2024-06-30' });
    // On 05-31: A New (first 05-01), B Holding (last 02-20, 101 days), C Lapsed, F Prospect (view 05-05), G Suspect;
    // E (first seen with its order of 06-20), D (order of 06-01) and R0 (return of 06-01) were not seen yet: not
    // members on 05-31, so not in the migration. On 06-30: A Regular, B Holding, C Lapsed, F Prospect, G Suspect.
    assert.deepEqual(doc.result['totals'], { positive: 1, negative: 0, same: 4 });
    const m = doc.result['matrix'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      m.filter((r) => r['direction'] === 'positive').map((r) => [r['from_stage'], r['to_stage'], r['members']]),
      [['New', 'Regular', '1']],
    );
  } finally {
    s.close();
  }
});

test("a full refresh stores the purchase occasions: the same rows as the view, each member's together", async () => {
  const s = await scenario();
  try {
    await refresh(s.db, clock, { asOf: '2024-06-30' });
    // A's two orders on 06-30 are one occasion, D's unpaid order and the guest's are none.
    const stored = await s.db.all('SELECT member_id, day, orders, value FROM member_occasions');
    assert.equal(stored.length, 6);
    // Sorted by member: the groupings by member that read them (first occasions, member periods) find each member's rows together.
    const members = stored.map((r) => String(r['member_id']));
    assert.deepEqual(members, [...members].sort(), 'written in member order');
    const key = (r: Record<string, unknown>): string => JSON.stringify([r['member_id'], String(r['day']), String(r['orders']), String(r['value'])]);
    const view = await s.db.all('SELECT member_id, day, orders, value FROM purchase_occasions');
    assert.deepEqual(stored.map(key).sort(), view.map(key).sort());
    const a = await findMember(s.db, 'web:A');
    assert.deepEqual(
      stored.filter((r) => r['member_id'] === a).map((r) => [String(r['day']), String(r['orders'])]),
      [
        ['2024-05-01', '1'],
        ['2024-06-30', '2'],
      ],
    );
  } finally {
    s.close();
  }
});

test('seven links: headline metrics for a period, the previous period, and the weakest link', async () => {
  const s = await scenario();
  try {
    await s.import(
      s.write(
        'events-2.csv',
        [
          'channel,event_id,type,at,buyer_id,direction,session_id',
          'web,w1,visit,2024-06-20 09:00:00,E,,s1',
          'web,w2,view,2024-06-20 09:01:00,E,,s1',
          'web,w3,view,2024-06-21 09:01:00,F,,s2',
          'web,w4,inquiry,2024-06-20 09:02:00,E,inbound,s1',
          'web,w5,visit,2024-05-20 09:00:00,B,,s3',
          'web,w6,view,2024-05-20 09:01:00,B,,s3',
        ].join('\n'),
      ),
    );
    const doc = await analyze(s.db, clock, 'links', { from: '2024-06-01', to: '2024-06-30' });
    const links = doc.result['links'] as Array<Record<string, unknown>>;
    const at = (n: string): Record<string, unknown> | undefined => links.find((l) => String(l['link']).startsWith(n));
    // June: 1 visit; viewers E, F of whom E bought (1/2); asker E bought (1/1, order value 50.00);
    // orders created in June: a2, a3, d1, e1, g1 -> 4 paid of 5. May 2-31: 1 visit, viewer B did not buy (0/1).
    assert.equal(at('1')?.['value'], '1.0000');
    assert.deepEqual([at('2')?.['value'], at('2')?.['previous']], ['0.5000', '0.0000']);
    assert.deepEqual([at('3')?.['value'], at('3')?.['order_value']], ['1.0000', '50.0000']);
    assert.deepEqual([at('4')?.['value'], at('4')?.['orders'], at('4')?.['paid']], ['0.8000', 5, 4]);
    assert.equal(at('6')?.['value'], '0.0000', 'B is the only active-repeat candidate and did not buy in the window');
    assert.equal(typeof doc.result['weakest'], 'string');
  } finally {
    s.close();
  }
});

test('lifecycle: every member gets the first stage that applies', async () => {
  const s = await scenario();
  try {
    const doc = await analyze(s.db, clock, 'lifecycle', { asOf: '2024-06-30' });
    // A Regular (2 occasions, last today, fewer than 4 in a year); B Holding (last 131 days ago);
    // C Lapsed (426 days); E New (first 10 days ago); F Prospect (a view within 180 days);
    // D (never paid), G (registered only), R0 (only a return): Suspect.
    assert.deepEqual(doc.result['stages'], [
      { stage: 'Suspect', members: '3' },
      { stage: 'Prospect', members: '1' },
      { stage: 'New', members: '1' },
      { stage: 'Regular', members: '1' },
      { stage: 'Holding', members: '1' },
      { stage: 'Lapsed', members: '1' },
    ]);
    const stage = async (ref: string): Promise<unknown> => (await s.db.one('SELECT stage FROM member_lifecycle WHERE member_id = $1', [await findMember(s.db, ref)]))?.['stage'];
    assert.equal(await stage('shop:sA'), 'Regular');
    assert.equal(await stage('web:R0'), 'Suspect');
    await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' });
    const view = await memberView(s.db, await findMember(s.db, 'web:B'));
    assert.deepEqual(
      view.analytics.map((r) => [r['as_of'], r['segment'], r['stage']]),
      [['2024-06-30', 'At risk', 'Holding']],
      'members show carries the stored scores and stage',
    );
  } finally {
    s.close();
  }
});

test("--by segment: each report over one segment's members only, stored per segment, the whole base untouched", async () => {
  const s = await scenario();
  try {
    const web = await createSegment(s.ops, clock, 'Registered on the web', parseRule({ kind: 'attribute', field: 'registration_channel', op: 'eq', value: 'web' }));
    const rest = await createSegment(s.ops, clock, 'Everyone else', parseRule({ kind: 'not', rule: { kind: 'attribute', field: 'registration_channel', op: 'eq', value: 'web' } }));
    const whole = await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' });
    const scoresBefore = await s.db.all('SELECT * FROM member_rfm ORDER BY member_id');

    const rfm = await analyze(s.db, clock, 'rfm', { definitions: s.ops, asOf: '2024-06-30', by: 'segment', segments: [web.segment_id, 'Everyone else'] });
    assert.equal(rfm.params['by'], 'segment');
    assert.deepEqual(rfm.params['segments'], [web.segment_id, rest.segment_id]);
    const parts = rfm.result['segments'] as Array<Record<string, unknown>>;
    // Web-registered: A (with the merged shop account sA), F and G; only A bought in the window: 35.00.
    const webPart = parts[0];
    assert.equal(webPart?.['members'], 3);
    assert.equal(webPart?.['name'], 'Registered on the web');
    const webTotals = (webPart?.['result'] as Record<string, Record<string, unknown>>)['totals'];
    assert.equal(webTotals?.['buyers'], '1');
    assert.equal(webTotals?.['monetary'], '35.0000');
    // Everyone else bought the other 110.00 (B) and 0 (E); guest orders belong to no segment.
    const restTotals = (parts[1]?.['result'] as Record<string, Record<string, unknown>>)['totals'];
    assert.equal(restTotals?.['buyers'], '2');
    assert.equal(restTotals?.['monetary'], '110.0000');
    assert.equal(Number(webPart?.['members']) + Number(parts[1]?.['members']), Number(await s.db.one('SELECT count(*) AS n FROM members').then((r) => r?.['n'])));
    assert.ok((rfm.params['rules'] as string[])[0]?.includes('only the members of segment'), 'the scope is printed with the rules');

    // The scores of the whole base are not overwritten by a scoped run, and the unscoped report is unchanged.
    assert.deepEqual(await s.db.all('SELECT * FROM member_rfm ORDER BY member_id'), scoresBefore);
    assert.deepEqual((await analyze(s.db, clock, 'rfm', { asOf: '2024-06-30' })).result, JSON.parse(JSON.stringify(whole.result)));
    // No shadowing table outlives a scoped run.
    const shadows = await s.db.all(
      "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name IN ('_scope', 'members', 'identities', 'events', 'returns', 'member_rfm', 'member_lifecycle', 'member_tags', 'order_values', 'purchase_occasions', '_member_periods', '_tag_lines', '_tag_activity', '_tag_sets', '_rfm', '_stages')",
    );
    assert.deepEqual(shadows, []);

    // Lifecycle of the web segment: A Regular (2 occasions, last one today), F Prospect (a view 56 days ago), G Suspect.
    const life = await analyze(s.db, clock, 'lifecycle', { definitions: s.ops, asOf: '2024-06-30', by: 'segment', segments: [web.segment_id] });
    const stages = ((life.result['segments'] as Array<Record<string, unknown>>)[0]?.['result'] as { stages: Array<Record<string, unknown>> }).stages;
    assert.deepEqual(
      stages.map((r) => [r['stage'], Number(r['members'])]),
      [
        ['Suspect', 1],
        ['Prospect', 1],
        ['Regular', 1],
      ],
    );
    // The stages and their rule are held for the run only.
    assert.deepEqual(await s.db.all("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name = '_stages'"), []);
    assert.deepEqual(await s.db.all("SELECT function_name FROM duckdb_functions() WHERE function_name = '_stage'"), []);

    // KPI over the 28 days to 06-30: A's two orders on 06-30 (10 + 5), one returning buyer; the guest's 70 is not the segment's.
    const kpi = await analyze(s.db, clock, 'kpi', { definitions: s.ops, asOf: '2024-06-30', by: 'segment', segments: [web.segment_id] });
    const k = (kpi.result['segments'] as Array<Record<string, unknown>>)[0]?.['result'] as { summary: Record<string, Record<string, unknown>> };
    assert.equal(k.summary['current']?.['gross_sales'], '15.0000');
    assert.equal(k.summary['current']?.['buyers'], 1);
    assert.equal(k.summary['current']?.['guest_orders'], 0);

    // Read again: every part from the store; a changed rule is a new part.
    const again = await analyze(s.db, clock, 'rfm', { definitions: s.ops, asOf: '2024-06-30', by: 'segment', segments: [web.segment_id, rest.segment_id] });
    assert.equal(again.from_store, true);
    await updateSegment(s.ops, clock, web.segment_id, 'Registered on the web', parseRule({ kind: 'attribute', field: 'registration_channel', op: 'eq', value: 'shop' }));
    assert.equal((await analyze(s.db, clock, 'rfm', { definitions: s.ops, asOf: '2024-06-30', by: 'segment', segments: [web.segment_id] })).from_store, false);

    await assert.rejects(analyze(s.db, clock, 'rfm', { definitions: s.ops, by: 'segment', segments: ['nope'] }), /no segment with the ID or name 'nope'/);
  } finally {
    s.close();
  }
});
