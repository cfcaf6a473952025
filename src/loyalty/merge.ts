/**
 * When members merge, their accounts merge: open lots, orders, keys and debt move to the
 * survivor, recorded as a merge_out / merge_in pair of entries. On unmerge, the lots go back with
 * the identity that earned them (a lot's earned_by) to the split-off member's account.
 */
import type { Clock } from '../core/clock.js';
import { big, isoTime, text, type OpQueries, type OpStore } from '../ops/index.js';
import { accountById, openAccount, publishedMember, type Account } from './accounts.js';
import { addEntry, moveDebt, moveLot } from './lots.js';
import { loadProgramme } from './programme.js';

export interface MergeResult {
  from_account: bigint;
  into_account: bigint;
  points: bigint;
  lots: number;
}

async function moveLots(tx: OpQueries, programmeId: string, from: Account, into: Account, lotIds: bigint[], debt: bigint, cause: 'merge' | 'unmerge', ref: string, now: Date): Promise<bigint> {
  const lots = lotIds.length === 0 ? [] : await tx.all(`SELECT lot_id, remaining FROM loyalty_lots WHERE lot_id IN (${lotIds.map(() => '?').join(', ')}) ORDER BY lot_id`, lotIds);
  const points = lots.reduce((s, l) => s + big(l, 'remaining'), 0n) - debt;
  const out = await addEntry(tx, { programme_id: programmeId, account_id: from.account_id, kind: 'merge_out', points: -points, cause, cause_ref: ref, related_entry: null, at: now });
  const inn = await addEntry(tx, { programme_id: programmeId, account_id: into.account_id, kind: 'merge_in', points, cause, cause_ref: ref, related_entry: out, at: now });
  for (const l of lots) {
    const id = big(l, 'lot_id');
    const r = big(l, 'remaining');
    await moveLot(tx, out, id, -r);
    await tx.run('UPDATE loyalty_lots SET account_id = ? WHERE lot_id = ?', [into.account_id, id]);
    await moveLot(tx, inn, id, r);
  }
  if (debt !== 0n) {
    await moveDebt(tx, out, from.account_id, -debt);
    await moveDebt(tx, inn, into.account_id, debt);
  }
  return points;
}

function rank(tiers: readonly { code: string }[] | undefined, tier: string | null): number {
  return tiers?.findIndex((l) => l.code === tier) ?? -1;
}

/** Merges account `fromId` into `intoId` inside the caller's transaction (both locked, lower ID first). */
export async function mergeAccountsIn(tx: OpQueries, forUpdate: string, programmeId: string, fromId: bigint, intoId: bigint, ref: string, now: Date): Promise<MergeResult> {
  const [first, second] = fromId < intoId ? [fromId, intoId] : [intoId, fromId];
  await accountById(tx, programmeId, first, forUpdate);
  await accountById(tx, programmeId, second, forUpdate);
  const from = await accountById(tx, programmeId, fromId);
  const into = await accountById(tx, programmeId, intoId);
  if (from === undefined || into === undefined) throw new Error(`merge of unknown accounts ${fromId} -> ${intoId}`);
  if (from.merged_into !== null) return { from_account: fromId, into_account: from.merged_into, points: 0n, lots: 0 };
  const lotIds = (await tx.all("SELECT lot_id FROM loyalty_lots WHERE account_id = ? AND state = 'open' AND remaining > 0", [fromId])).map((r) => big(r, 'lot_id'));
  const points = await moveLots(tx, programmeId, from, into, lotIds, from.debt, 'merge', ref, now);
  // Lots with nothing left move too (a rolled-back spend may refill them), without entries.
  await tx.run('UPDATE loyalty_lots SET account_id = ? WHERE account_id = ?', [intoId, fromId]);
  await tx.run('UPDATE loyalty_orders SET account_id = ? WHERE account_id = ?', [intoId, fromId]);
  await tx.run('UPDATE loyalty_account_keys SET account_id = ? WHERE account_id = ?', [intoId, fromId]);
  const config = await loadProgramme(tx, programmeId);
  const keepFrom = rank(config?.tiers?.levels, from.tier) > rank(config?.tiers?.levels, into.tier);
  await tx.run(`UPDATE loyalty_accounts SET member_id = COALESCE(member_id, ?), tier = ?, tier_since = ?, tier_year_ends = ?, updated_at = ? WHERE account_id = ?`, [
    from.member_id,
    keepFrom ? from.tier : into.tier,
    keepFrom ? from.tier_since : into.tier_since,
    keepFrom ? from.tier_year_ends : into.tier_year_ends,
    isoTime(now),
    intoId,
  ]);
  await tx.run('UPDATE loyalty_accounts SET merged_into = ?, updated_at = ? WHERE account_id = ?', [intoId, isoTime(now), fromId]);
  return { from_account: fromId, into_account: intoId, points, lots: lotIds.length };
}

/**
 * Members merged (identity resolution): the account of `fromMember` merges into the account of
 * `intoMember` (opened when the survivor had none). Idempotent: a merged account is not merged twice.
 */
export async function mergeMemberAccounts(store: OpStore, clock: Clock, programmeId: string, fromMember: string, intoMember: string): Promise<MergeResult | null> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const fromKey = await tx.one("SELECT account_id FROM loyalty_account_keys WHERE programme_id = ? AND kind = 'member' AND scope = '' AND value = ?", [programmeId, fromMember]);
    if (fromKey === undefined) return null;
    const config = await loadProgramme(tx, programmeId);
    const into = await openAccount(tx, programmeId, { member_id: intoMember }, config?.phone_country ?? '86', now);
    if (!into.ok) throw new Error(into.error.message);
    const fromId = big(fromKey, 'account_id');
    if (fromId === into.account.account_id) return null;
    return mergeAccountsIn(tx, store.dialect.forUpdate, programmeId, fromId, into.account.account_id, `${fromMember}->${intoMember}`, now);
  });
}

/**
 * A member was split (unmerge): the open lots of `member`'s account earned by one of the
 * `identities` (as lots record them: `phone::+86...`, `member:M7`) go to `newMember`'s account,
 * which is the account the split-off member had before the merge when there was one.
 */
export async function unmergeMemberAccounts(store: OpStore, clock: Clock, programmeId: string, member: string, newMember: string, identities: readonly string[]): Promise<MergeResult | null> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const key = await tx.one("SELECT account_id FROM loyalty_account_keys WHERE programme_id = ? AND kind = 'member' AND scope = '' AND value = ?", [programmeId, member]);
    if (key === undefined) return null;
    const fromId = big(key, 'account_id');
    const from = await accountById(tx, programmeId, fromId, store.dialect.forUpdate);
    if (from === undefined) return null;
    // The split-off member's old account comes back to life; else a new one is opened.
    const old = await tx.one('SELECT account_id FROM loyalty_accounts WHERE programme_id = ? AND member_id = ? AND merged_into = ? ORDER BY account_id LIMIT 1', [programmeId, newMember, fromId]);
    let into: Account | undefined;
    if (old !== undefined) {
      await tx.run('UPDATE loyalty_accounts SET merged_into = NULL, updated_at = ? WHERE account_id = ?', [isoTime(now), big(old, 'account_id')]);
      await tx.run("UPDATE loyalty_account_keys SET account_id = ? WHERE programme_id = ? AND kind = 'member' AND scope = '' AND value = ?", [big(old, 'account_id'), programmeId, newMember]);
      into = await accountById(tx, programmeId, big(old, 'account_id'), store.dialect.forUpdate);
    } else {
      const config = await loadProgramme(tx, programmeId);
      const opened = await openAccount(tx, programmeId, { member_id: newMember }, config?.phone_country ?? '86', now);
      if (!opened.ok) throw new Error(opened.error.message);
      into = opened.account;
    }
    if (into === undefined || identities.length === 0) return { from_account: fromId, into_account: into?.account_id ?? fromId, points: 0n, lots: 0 };
    const marks = identities.map(() => '?').join(', ');
    const lotIds = (await tx.all(`SELECT lot_id FROM loyalty_lots WHERE account_id = ? AND state = 'open' AND remaining > 0 AND earned_by IN (${marks})`, [fromId, ...identities])).map((r) =>
      big(r, 'lot_id'),
    );
    const points = await moveLots(tx, programmeId, from, into, lotIds, 0n, 'unmerge', `${member}->${newMember}`, now);
    await tx.run(
      `UPDATE loyalty_orders SET account_id = ? WHERE programme_id = ? AND order_id IN (SELECT order_id FROM loyalty_lots WHERE account_id = ? AND earned_by IN (${marks}) AND order_id IS NOT NULL)`,
      [into.account_id, programmeId, into.account_id, ...identities],
    );
    await tx.run(`UPDATE loyalty_lots SET account_id = ? WHERE account_id = ? AND earned_by IN (${marks})`, [into.account_id, fromId, ...identities]);
    // Identifier keys of the moved identities follow them.
    for (const id of identities) {
      const [kind, scope, ...rest] = id.split(':');
      if (kind !== undefined && scope !== undefined && kind !== 'member' && kind !== 'account')
        await tx.run('UPDATE loyalty_account_keys SET account_id = ? WHERE programme_id = ? AND kind = ? AND scope = ? AND value = ?', [into.account_id, programmeId, kind, scope, rest.join(':')]);
    }
    return { from_account: fromId, into_account: into.account_id, points, lots: lotIds.length };
  });
}

/**
 * Joins accounts a till opened by an identifier to the member the published identity map now
 * names: an account becomes the member's, or merges into the member's account when there is one.
 */
export async function syncAccounts(store: OpStore, clock: Clock, programmeId: string): Promise<{ joined: number; merged: number }> {
  const now = clock.now();
  const keys = await store.all(
    "SELECT k.kind, k.scope, k.value, k.account_id FROM loyalty_account_keys k JOIN loyalty_accounts a ON a.account_id = k.account_id WHERE k.programme_id = ? AND k.kind <> 'member' AND a.member_id IS NULL AND a.merged_into IS NULL",
    [programmeId],
  );
  let joined = 0;
  let merged = 0;
  for (const k of keys) {
    const member = await publishedMember(store, { kind: text(k, 'kind') ?? '', scope: text(k, 'scope') ?? '', value: text(k, 'value') ?? '' });
    if (member === null) continue;
    const accountId = big(k, 'account_id');
    await store.transaction(async (tx) => {
      const mine = await accountById(tx, programmeId, accountId, store.dialect.forUpdate);
      if (mine === undefined || mine.member_id !== null || mine.merged_into !== null) return;
      const claimed = await tx.one(
        "INSERT INTO loyalty_account_keys (programme_id, kind, scope, value, account_id) VALUES (?, 'member', '', ?, ?) ON CONFLICT (programme_id, kind, scope, value) DO NOTHING RETURNING account_id",
        [programmeId, member, accountId],
      );
      if (claimed !== undefined) {
        await tx.run('UPDATE loyalty_accounts SET member_id = ?, updated_at = ? WHERE account_id = ?', [member, isoTime(now), accountId]);
        joined++;
        return;
      }
      const owner = big(await tx.one("SELECT account_id FROM loyalty_account_keys WHERE programme_id = ? AND kind = 'member' AND scope = '' AND value = ?", [programmeId, member]), 'account_id');
      await mergeAccountsIn(tx, store.dialect.forUpdate, programmeId, accountId, owner, `till->${member}`, now);
      merged++;
    });
  }
  return { joined, merged };
}
