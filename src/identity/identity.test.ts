import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, countOf, sandbox, type Sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { findMember } from '../members/index.js';
import { identityReport, normalizePhone, normalizeEmail, resolveIdentities, unmerge } from './index.js';

const HEADER = 'channel,external_id,phone,email,wechat_unionid,registered_at';

async function memberOf(s: Sandbox, ref: string): Promise<string> {
  return findMember(s.db, ref);
}

async function partition(s: Sandbox): Promise<string[]> {
  // Members as sorted lists of their accounts: comparable across databases.
  const rows = await s.db.all(
    `SELECT member_id, string_agg(scope || ':' || value, ' ' ORDER BY scope, value) AS accounts
     FROM identities WHERE kind = 'account' AND member_id IS NOT NULL GROUP BY member_id ORDER BY member_id`,
  );
  return rows.map((r) => `${String(r['member_id'])}=${String(r['accounts'])}`);
}

test('phones become E.164 (+86 by default), emails trimmed and lower-cased, masked values dropped', async () => {
  const s = await sandbox();
  try {
    const cases: Array<[string, string | null]> = [
      ['13800138000', '+8613800138000'],
      ['+86 138-0013-8000', '+8613800138000'],
      ['0086 13800138000', '+8613800138000'],
      ['138****8000', null],
      ['+1 (415) 555-0100', '+14155550100'],
      ['12', null],
    ];
    for (const [raw, want] of cases) assert.equal(await normalizePhone(s.db, raw, '86'), want, raw);
    assert.equal(await normalizePhone(s.db, '020 7946 0018', '44'), '+442079460018');
    assert.equal(await normalizeEmail(s.db, '  Ann.Lee@Example.COM '), 'ann.lee@example.com');
    assert.equal(await normalizeEmail(s.db, 'not-an-email'), null);
  } finally {
    s.close();
  }
});

test('shared strong identifiers merge transitively; the earliest-seen identity names the member', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'members.csv',
      [
        HEADER,
        'tmall,tb_ann,13800138000,,,2024-03-01 10:00:00',
        'shop,c9,+86 138 0013 8000,ann@example.com,,2024-02-01 10:00:00',
        'wechat,oA1,,ANN@example.com,u-ann,2024-05-01 10:00:00',
        'pos,card7,,,u-ann,2023-12-24 18:00:00',
        'shop,c10,13900139000,,,2024-01-01 10:00:00',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2);
    const ann = await memberOf(s, 'tmall:tb_ann');
    for (const ref of ['shop:c9', 'wechat:oA1', 'pos:card7', 'ann@example.com', '138 0013 8000']) {
      assert.equal(await memberOf(s, ref), ann, `${ref} is Ann`);
    }
    const anchor = await s.db.one('SELECT i.scope, i.value FROM members m JOIN identities i ON i.identity_id = m.anchor_identity_id WHERE m.member_id = $1', [ann]);
    assert.deepEqual(anchor, { scope: 'pos', value: 'card7' }, 'survivor: the identity first seen earliest');
    assert.equal(r.merges, 0);
    const merges = await countOf(s.db, "SELECT * FROM merge_events WHERE action = 'merge' AND member_id = $1", [ann]);
    assert.equal(merges, 0, 'accounts arriving in one import form the member directly');
  } finally {
    s.close();
  }
});

test('merges across imports are recorded and merged-away IDs keep resolving', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('members.csv', [HEADER, 'tmall,tb_ann,13800138000,,,2024-03-01 10:00:00', 'shop,c9,,ann@example.com,,2024-02-01 10:00:00'].join('\n')));
    const before = [await memberOf(s, 'tmall:tb_ann'), await memberOf(s, 'shop:c9')];
    assert.notEqual(before[0], before[1]);
    const r = await s.import(s.write('members-2.csv', [HEADER, 'wechat,oA1,13800138000,ann@example.com,,2024-06-01 10:00:00'].join('\n')));
    assert.equal(r.merges, 1);
    const now = await memberOf(s, 'wechat:oA1');
    assert.equal(now, before[1], 'shop:c9 was seen first, so its member survives');
    assert.equal(await memberOf(s, before[0] ?? ''), now, 'the merged-away member ID resolves to the survivor');
    const ev = await s.db.one(`SELECT e.member_id, e.other_member_id, i.kind, e.import_id FROM merge_events e JOIN identities i ON i.identity_id = e.via_identity_id WHERE action = 'merge'`);
    assert.equal(ev?.['member_id'], now);
    assert.equal(ev?.['other_member_id'], before[0]);
    assert.equal(String(ev?.['import_id']), String(r.import_id));
    assert.ok(['phone', 'email'].includes(String(ev?.['kind'])));
  } finally {
    s.close();
  }
});

test('an identifier shared by too many accounts is quarantined, never merged on, and reported', async () => {
  const s = await sandbox();
  try {
    const rows = [HEADER];
    for (let i = 0; i < 12; i++) rows.push(`pos,card${i},13800000000,,,2024-01-${String(i + 1).padStart(2, '0')} 10:00:00`);
    rows.push('shop,c1,,fam@example.com,,2024-01-01 10:00:00', 'shop,c2,,fam@example.com,,2024-01-02 10:00:00');
    await s.import(s.write('members.csv', rows.join('\n')));
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 13, '12 POS cards stay apart; the two family accounts merge');
    const report = await identityReport(s.db);
    const q = report['quarantine'] as Array<Record<string, unknown>>;
    assert.equal(q.length, 1);
    assert.equal(q[0]?.['value'], '+8613800000000');
    assert.equal(Number(q[0]?.['accounts']), 12);
    await setSetting(s.db, clock, 'identity.quarantine_max_accounts', 1);
    await s.db.transaction(() => resolveIdentities(s.db, clock, 'all', null));
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 14, 'a tighter threshold quarantines the family email too');
  } finally {
    s.close();
  }
});

test('unmerge splits a wrong merge, is recorded, and later imports honour it', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('members.csv', [HEADER, 'shop,c1,13800138000,,,2024-01-01 10:00:00', 'tmall,tb_x,13800138000,,,2024-02-01 10:00:00'].join('\n')));
    const merged = await memberOf(s, 'shop:c1');
    assert.equal(await memberOf(s, 'tmall:tb_x'), merged);
    const result = await unmerge(s.db, clock, merged, 'tmall:tb_x', 'different people sharing a phone');
    assert.equal(result.rules_added, 1);
    assert.notEqual(result.new_member_id, result.remaining_member_id);
    assert.equal(await memberOf(s, 'tmall:tb_x'), result.new_member_id);
    assert.equal(await countOf(s.db, "SELECT * FROM merge_events WHERE action = 'unmerge'"), 1);
    // A later export repeats the shared phone and adds an email on both: still two members.
    await s.import(s.write('members-2.csv', [HEADER, 'shop,c1,13800138000,x@example.com,,2024-03-01 10:00:00', 'tmall,tb_x,,x@example.com,,2024-03-01 10:00:00'].join('\n')), { entity: 'members' });
    await s.import(s.write('orders.csv', ['channel,order_id,buyer_id,buyer_phone,created_at', 'tmall,t1,tb_x,13800138000,2024-04-01 10:00:00'].join('\n')));
    assert.notEqual(await memberOf(s, 'tmall:tb_x'), await memberOf(s, 'shop:c1'));
    await s.db.transaction(() => resolveIdentities(s.db, clock, 'all', null));
    assert.notEqual(await memberOf(s, 'tmall:tb_x'), await memberOf(s, 'shop:c1'), 'a full re-resolution honours the rule too');
    // Every member row lists exactly its identities (the profile finds them through this list).
    const stale = await countOf(
      s.db,
      `SELECT * FROM members m WHERE m.identity_ids IS DISTINCT FROM (SELECT list(identity_id ORDER BY identity_id) FROM identities i WHERE i.member_id = m.member_id)`,
    );
    assert.equal(stale, 0);
    assert.equal(await countOf(s.db, 'SELECT * FROM members'), 2);
  } finally {
    s.close();
  }
});

test('the final members do not depend on import order', async () => {
  const files: Array<[string, string]> = [
    ['members-a.csv', [HEADER, 'tmall,tb1,13800138001,,,2024-03-01 10:00:00', 'tmall,tb2,13800138002,,,2024-03-02 10:00:00', 'pos,p1,13800000000,,,2024-01-05 10:00:00'].join('\n')],
    ['members-b.csv', [HEADER, 'shop,s1,13800138001,a@x.com,,2024-02-01 10:00:00', 'shop,s2,,b@x.com,u2,2024-02-02 10:00:00', 'pos,p2,13800000000,,,2024-01-06 10:00:00'].join('\n')],
    [
      'members-c.csv',
      [
        HEADER,
        'wechat,w1,,a@x.com,u1,2024-04-01 10:00:00',
        'wechat,w2,13800138002,,u2,2024-04-02 10:00:00',
        'pos,p3,13800000000,,,2024-01-07 10:00:00',
        'pos,p4,13800000000,,,2024-01-08 10:00:00',
      ].join('\n'),
    ],
    ['orders-d.csv', ['channel,order_id,buyer_id,buyer_email,created_at', 'jd,j1,jd1,B@X.com,2023-12-01 10:00:00', 'jd,j2,jd2,,2024-05-01 10:00:00'].join('\n')],
  ];
  const orders = [
    [0, 1, 2, 3],
    [3, 2, 1, 0],
    [2, 0, 3, 1],
    [1, 3, 0, 2],
  ];
  const results: string[][] = [];
  for (const order of orders) {
    const s = await sandbox();
    try {
      await setSetting(s.db, clock, 'identity.quarantine_max_per_channel', 3);
      for (const i of order) {
        const [name, content] = files[i] ?? ['', ''];
        await s.import(s.write(name, content));
      }
      results.push(await partition(s));
    } finally {
      s.close();
    }
  }
  for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  const first = results[0] ?? [];
  assert.ok(
    first.some((m) => m.endsWith('=jd:jd1 shop:s2 tmall:tb2 wechat:w2')),
    first.join('\n'),
  );
  assert.ok(
    first.some((m) => m.endsWith('=shop:s1 tmall:tb1 wechat:w1')),
    first.join('\n'),
  );
  assert.equal(first.filter((m) => m.includes('pos:')).length, 4, 'the placeholder phone on 4 POS cards is quarantined');
});

test('an import re-resolves only members it can change, and the outcome equals a full resolution', async () => {
  const s = await sandbox();
  try {
    await s.import(
      s.write('members.csv', [HEADER, 'tmall,tb_ann,13800138000,,,2024-03-01 10:00:00', 'shop,c9,+86 138 0013 8000,,,2024-02-01 10:00:00', 'shop,c10,13900139000,,,2024-01-01 10:00:00'].join('\n')),
    );
    const ann = await memberOf(s, 'tmall:tb_ann');
    assert.equal(await memberOf(s, 'shop:c9'), ann);
    const bob = await memberOf(s, 'shop:c10');
    const anchorOf = async (member: string): Promise<string> =>
      String((await s.db.one("SELECT i.scope || ':' || i.value AS a FROM members m JOIN identities i ON i.identity_id = m.anchor_identity_id WHERE m.member_id = $1", [member]))?.['a']);
    assert.equal(await anchorOf(ann), ':+8613800138000', 'seen first (with shop:c9; the value breaks the tie)');
    const bobRow = async (): Promise<string> => String((await s.db.one('SELECT rowid AS r FROM members WHERE member_id = $1', [bob]))?.['r']);
    const bobBefore = await bobRow();
    // tb_ann bought before either account registered: seen earlier now, so it names the member.
    // c10 only buys again, which changes nothing that resolution reads.
    await s.import(s.write('orders.csv', ['channel,order_id,buyer_id,created_at', 'tmall,t1,tb_ann,2024-01-15 10:00:00', 'shop,s1,c10,2024-06-01 10:00:00'].join('\n')));
    const annNow = await memberOf(s, 'tmall:tb_ann');
    assert.notEqual(annNow, ann, 'the member is renamed after its new earliest identity');
    assert.equal(await anchorOf(annNow), 'tmall:tb_ann');
    assert.equal(await memberOf(s, ann), annNow, 'the old ID resolves to the renamed member');
    assert.equal(await bobRow(), bobBefore, "the repeat buyer's member row was not rebuilt");
    // A full resolution from scratch changes nothing.
    const state = async (): Promise<unknown> =>
      [await s.db.all('SELECT identity_id, member_id FROM identities ORDER BY identity_id'), await s.db.all('SELECT * EXCLUDE (updated_at) FROM members ORDER BY member_id')].map((rows) =>
        JSON.stringify(rows),
      );
    const incremental = await state();
    await s.db.transaction(() => resolveIdentities(s.db, clock, 'all', null));
    assert.deepEqual(await state(), incremental);
  } finally {
    s.close();
  }
});
