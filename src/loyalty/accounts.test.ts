/**
 * Accounts on both engines: lookup through the published identity map (a presented phone
 * normalised like the member base does), a till's first-time buyer, joining and merging when
 * resolution has run, merge and unmerge of members' accounts (lots go back with the identity
 * that earned them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { normalizePhone as duckPhone } from '../identity/index.js';
import { loyaltyTest, order, programme, type LoyaltyWorld } from '../testing/loyalty.js';
import { balanceOf, earnOrder, findAccount, historyOf, mergeMemberAccounts, normalizePhone, syncAccounts, unmergeMemberAccounts, type Who } from './index.js';

const NOW = '2026-03-01T10:00:00.000Z';
const config = programme({ pending_days: 0, expiry: { model: 'never' } });

async function publish(w: LoyaltyWorld, kind: string, scope: string, value: string, member: string): Promise<void> {
  await w.store.run('INSERT INTO published_identities (kind, scope, value, member_id) VALUES (?, ?, ?, ?) ON CONFLICT (kind, scope, value) DO UPDATE SET member_id = excluded.member_id', [
    kind,
    scope,
    value,
    member,
  ]);
}

async function earn(w: LoyaltyWorld, who: Who, id: string, amount: string): Promise<bigint> {
  const r = await earnOrder(w.store, w.clock, 'p1', { who, order: order(id, NOW, [amount]), key: id });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value.account_id;
}

async function balance(w: LoyaltyWorld, who: Who): Promise<bigint | string> {
  const f = await findAccount(w.store, 'p1', who, '86');
  return f.ok ? (await balanceOf(w.store, f.account, w.clock.now())).balance : f.error.type;
}

test('a presented phone is normalised exactly as the member base normalises it', async () => {
  const s = await sandbox();
  try {
    const raws = ['13800138000', '+86 138-0013-8000', '0086 13800138000', '138****8000', '+1 (415) 555-0100', '12', '020 7946 0018', '8613800138000', 'abc'];
    for (const cc of ['86', '44']) for (const raw of raws) assert.equal(normalizePhone(raw, cc), await duckPhone(s.db, raw, cc), `${raw} (${cc})`);
  } finally {
    s.close();
  }
});

loyaltyTest('members merge: lots and history move to the survivor; unmerge sends lots back with the identity that earned them', config, NOW, async (w) => {
  await publish(w, 'phone', '', '+8613800138000', 'M1');
  await publish(w, 'pos_card', 'store1', 'C2', 'M2');
  const a1 = await earn(w, { kind: 'phone', value: '138 0013 8000' }, 'o1', '100');
  const a2 = await earn(w, { kind: 'pos_card', scope: 'store1', value: 'C2' }, 'o2', '50');
  assert.notEqual(a1, a2);
  assert.deepEqual([await balance(w, { member_id: 'M1' }), await balance(w, { member_id: 'M2' })], [100n, 50n]);
  const merged = await mergeMemberAccounts(w.store, w.clock, 'p1', 'M2', 'M1');
  assert.deepEqual(merged, { from_account: a2, into_account: a1, points: 50n, lots: 1 });
  assert.equal(await mergeMemberAccounts(w.store, w.clock, 'p1', 'M2', 'M1'), null, 'a second merge is a no-op');
  await publish(w, 'pos_card', 'store1', 'C2', 'M1');
  assert.equal(await earn(w, { kind: 'pos_card', scope: 'store1', value: 'C2' }, 'o3', '30'), a1);
  assert.equal(await balance(w, { member_id: 'M1' }), 180n);
  assert.equal(await balance(w, { member_id: 'M2' }), 180n, 'the old member ID finds the survivor');
  const kinds = (await historyOf(w.store, a1)).map((e) => `${e.kind} ${e.points}`);
  assert.deepEqual(kinds, ['earn 30', 'merge_in 50', 'earn 100']);
  const back = await unmergeMemberAccounts(w.store, w.clock, 'p1', 'M1', 'M2', ['pos_card:store1:C2']);
  assert.deepEqual(back, { from_account: a1, into_account: a2, points: 80n, lots: 2 });
  assert.deepEqual([await balance(w, { member_id: 'M1' }), await balance(w, { member_id: 'M2' })], [100n, 80n]);
  assert.deepEqual([await balance(w, { kind: 'pos_card', scope: 'store1', value: 'C2' })], [100n], 'the map still says M1 until the next publication');
  await publish(w, 'pos_card', 'store1', 'C2', 'M2');
  assert.equal(await balance(w, { kind: 'pos_card', scope: 'store1', value: 'C2' }), 80n);
});

loyaltyTest("a till's first-time buyer gets an account at once; resolution later joins it to the member or merges it into the member's account", config, NOW, async (w) => {
  const till = await earn(w, { kind: 'phone', value: '13900139000' }, 't1', '20');
  assert.equal(await balance(w, { kind: 'phone', value: '+86 139 0013 9000' }), 20n);
  assert.equal(await balance(w, { member_id: 'M3' }), 'account_not_found');
  await earn(w, { member_id: 'M3' }, 'm1', '10');
  await earn(w, { kind: 'phone', value: '13700137000' }, 't2', '5');
  await publish(w, 'phone', '', '+8613900139000', 'M3');
  await publish(w, 'phone', '', '+8613700137000', 'M4');
  assert.deepEqual(await syncAccounts(w.store, w.clock, 'p1'), { joined: 1, merged: 1 });
  assert.equal(await balance(w, { member_id: 'M3' }), 30n);
  assert.equal(await balance(w, { kind: 'phone', value: '13900139000' }), 30n);
  assert.equal(await balance(w, { member_id: 'M4' }), 5n);
  assert.equal(await balance(w, { account_id: till.toString() }), 0n, 'the merged till account is empty');
  assert.equal(await balance(w, { kind: 'phone', value: '138****0000' }), 'invalid_identifier');
});
