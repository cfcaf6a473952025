/**
 * Accounts: a programme's record per member, found from the operational store alone. A member
 * is found through the published identity map (published_identities); an identifier nobody has
 * published yet (a till's first-time buyer) gets an account at once, keyed by that identifier,
 * and is joined to the member when resolution has run. Every way to an account is a row of
 * loyalty_account_keys, including the member ID itself (kind 'member'), so concurrent first
 * visits create one account.
 */
import { Type, type Static } from '@sinclair/typebox';
import { big, isoTime, text, type OpQueries } from '../ops/index.js';

const IdentifierKind = Type.Union([Type.Literal('phone'), Type.Literal('email'), Type.Literal('pos_card'), Type.Literal('wechat_unionid'), Type.Literal('wechat_openid'), Type.Literal('account')]);

/** How a caller names the account: a member ID, an account ID, or an identifier presented at a till or shop. */
export const Who = Type.Union([
  Type.Object({ member_id: Type.String({ minLength: 1 }) }),
  Type.Object({ account_id: Type.String({ pattern: '^\\d+$' }) }),
  Type.Object({ kind: IdentifierKind, scope: Type.Optional(Type.String()), value: Type.String({ minLength: 1 }) }),
]);
export type Who = Static<typeof Who>;

/** Channel-scoped kinds (src/identity): unique only within their channel. */
const SCOPED = new Set(['account', 'wechat_openid', 'pos_card']);

/** A phone in E.164, normalised exactly as src/identity/normalize.sql does; null when implausible or masked. */
export function normalizePhone(raw: string, country: string): string | null {
  const t = raw.trim();
  if (t === '' || raw.includes('*') || /[A-Za-z]/.test(raw)) return null;
  const digits = t.replace(/^(\+|00)/, '').replace(/[^0-9]/g, '');
  let e: string;
  if (/^(\+|00)/.test(t)) e = `+${digits}`;
  else if (country === '86' && /^1[3-9][0-9]{9}$/.test(digits)) e = `+86${digits}`;
  else if (digits.startsWith(country) && digits.length >= country.length + 9) e = `+${digits}`;
  else e = `+${country}${digits.replace(/^0+/, '')}`;
  return e.length >= 9 && e.length <= 16 ? e : null;
}

/** The key of an identifier as stored (kind, scope, normalised value), or null when it cannot identify anyone. */
export function identifierKey(who: Extract<Who, { kind: string }>, country: string): { kind: string; scope: string; value: string } | null {
  const scope = SCOPED.has(who.kind) ? (who.scope ?? '') : '';
  let value: string | null;
  if (who.kind === 'phone') value = normalizePhone(who.value, country);
  else if (who.kind === 'email') value = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(who.value.trim().toLowerCase()) ? who.value.trim().toLowerCase() : null;
  else {
    const v = who.value.trim().replace(/^="?(.*?)"?$/, '$1');
    value = v === '' ? null : v;
  }
  return value === null ? null : { kind: who.kind, scope, value };
}

/** How a lot records who earned it, so an unmerge can send it back: `phone::+86...`, `member:M1`, `account:7`. */
export function earnedBy(who: Who, key: { kind: string; scope: string; value: string } | null, account: Account): string {
  if ('member_id' in who) return `member:${who.member_id}`;
  if (key !== null) return `${key.kind}:${key.scope}:${key.value}`;
  return account.member_id !== null ? `member:${account.member_id}` : `account:${account.account_id}`;
}

export interface Account {
  account_id: bigint;
  programme_id: string;
  member_id: string | null;
  debt: bigint;
  tier: string | null;
  tier_since: string | null;
  tier_year_ends: string | null;
  merged_into: bigint | null;
  created_at: string;
}

export type AccountError = { type: 'account_not_found'; message: string } | { type: 'invalid_identifier'; message: string };

const COLUMNS = 'account_id, programme_id, member_id, debt, tier, tier_since, tier_year_ends, merged_into, created_at';

function toAccount(r: Record<string, string | number | bigint | null>): Account {
  const merged = r['merged_into'];
  return {
    account_id: big(r, 'account_id'),
    programme_id: text(r, 'programme_id') ?? '',
    member_id: text(r, 'member_id'),
    debt: big(r, 'debt'),
    tier: text(r, 'tier'),
    tier_since: text(r, 'tier_since'),
    tier_year_ends: text(r, 'tier_year_ends'),
    merged_into: merged === null || merged === undefined ? null : big(r, 'merged_into'),
    created_at: text(r, 'created_at') ?? '',
  };
}

/** An account by ID (locked until commit when `lock` is the dialect's FOR UPDATE). */
export async function accountById(q: OpQueries, programmeId: string, accountId: bigint, lock = ''): Promise<Account | undefined> {
  const r = await q.one(`SELECT ${COLUMNS} FROM loyalty_accounts WHERE programme_id = ? AND account_id = ?${lock}`, [programmeId, accountId]);
  return r === undefined ? undefined : toAccount(r);
}

async function accountByKey(q: OpQueries, programmeId: string, kind: string, scope: string, value: string): Promise<Account | undefined> {
  const r = await q.one(`SELECT ${COLUMNS} FROM loyalty_accounts WHERE account_id = (SELECT account_id FROM loyalty_account_keys WHERE programme_id = ? AND kind = ? AND scope = ? AND value = ?)`, [
    programmeId,
    kind,
    scope,
    value,
  ]);
  return r === undefined ? undefined : toAccount(r);
}

/** The member an identifier belongs to, from the published identity map. */
export async function publishedMember(q: OpQueries, key: { kind: string; scope: string; value: string }): Promise<string | null> {
  return text(await q.one('SELECT member_id FROM published_identities WHERE kind = ? AND scope = ? AND value = ?', [key.kind, key.scope, key.value]), 'member_id');
}

/** Finds an account without creating one. */
export async function findAccount(q: OpQueries, programmeId: string, who: Who, country: string): Promise<{ ok: true; account: Account } | { ok: false; error: AccountError }> {
  const notFound: { ok: false; error: AccountError } = { ok: false, error: { type: 'account_not_found', message: `no account in programme ${programmeId} for ${JSON.stringify(who)}` } };
  if ('account_id' in who) {
    const a = await accountById(q, programmeId, BigInt(who.account_id));
    return a === undefined ? notFound : { ok: true, account: a };
  }
  if ('member_id' in who) {
    const a = await accountByKey(q, programmeId, 'member', '', who.member_id);
    return a === undefined ? notFound : { ok: true, account: a };
  }
  const key = identifierKey(who, country);
  if (key === null) return { ok: false, error: { type: 'invalid_identifier', message: `${who.kind} '${who.value}' cannot identify a member` } };
  const member = await publishedMember(q, key);
  const a = (member !== null ? await accountByKey(q, programmeId, 'member', '', member) : undefined) ?? (await accountByKey(q, programmeId, key.kind, key.scope, key.value));
  return a === undefined ? notFound : { ok: true, account: a };
}

async function claimKey(tx: OpQueries, programmeId: string, kind: string, scope: string, value: string, accountId: bigint): Promise<bigint> {
  const inserted = await tx.one(
    'INSERT INTO loyalty_account_keys (programme_id, kind, scope, value, account_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (programme_id, kind, scope, value) DO NOTHING RETURNING account_id',
    [programmeId, kind, scope, value, accountId],
  );
  if (inserted !== undefined) return accountId;
  return big(await tx.one('SELECT account_id FROM loyalty_account_keys WHERE programme_id = ? AND kind = ? AND scope = ? AND value = ?', [programmeId, kind, scope, value]), 'account_id');
}

async function createAccount(tx: OpQueries, programmeId: string, memberId: string | null, key: { kind: string; scope: string; value: string }, now: Date): Promise<Account> {
  const at = isoTime(now);
  const id = big(
    await tx.one('INSERT INTO loyalty_accounts (programme_id, member_id, debt, created_at, updated_at) VALUES (?, ?, 0, ?, ?) RETURNING account_id', [programmeId, memberId, at, at]),
    'account_id',
  );
  const owner = await claimKey(tx, programmeId, key.kind, key.scope, key.value, id);
  if (owner !== id)
    await tx.run('DELETE FROM loyalty_accounts WHERE account_id = ?', [id]); // another request opened it first
  else if (memberId !== null && key.kind !== 'member') await claimKey(tx, programmeId, 'member', '', memberId, id);
  const a = await accountById(tx, programmeId, owner);
  if (a === undefined) throw new Error(`account ${owner} vanished`);
  return a;
}

/**
 * Finds the account, or opens one: for a member ID, or for an identifier (joined to its
 * published member when there is one, else keyed by the identifier until resolution runs).
 */
export async function openAccount(
  tx: OpQueries,
  programmeId: string,
  who: Who,
  country: string,
  now: Date,
): Promise<{ ok: true; account: Account; key: { kind: string; scope: string; value: string } | null } | { ok: false; error: AccountError }> {
  if ('account_id' in who) {
    const found = await findAccount(tx, programmeId, who, country);
    return found.ok ? { ...found, key: null } : found;
  }
  if ('member_id' in who) {
    const a = (await accountByKey(tx, programmeId, 'member', '', who.member_id)) ?? (await createAccount(tx, programmeId, who.member_id, { kind: 'member', scope: '', value: who.member_id }, now));
    return { ok: true, account: a, key: null };
  }
  const key = identifierKey(who, country);
  if (key === null) return { ok: false, error: { type: 'invalid_identifier', message: `${who.kind} '${who.value}' cannot identify a member` } };
  const member = await publishedMember(tx, key);
  if (member !== null) {
    const byMember = await accountByKey(tx, programmeId, 'member', '', member);
    if (byMember !== undefined) return { ok: true, account: byMember, key };
    const byKey = await accountByKey(tx, programmeId, key.kind, key.scope, key.value);
    if (byKey !== undefined && byKey.member_id === null) {
      // The till's account of a buyer the loader has now resolved: join it to the member.
      const owner = await claimKey(tx, programmeId, 'member', '', member, byKey.account_id);
      if (owner === byKey.account_id) await tx.run('UPDATE loyalty_accounts SET member_id = ?, updated_at = ? WHERE account_id = ?', [member, isoTime(now), byKey.account_id]);
      const a = await accountById(tx, programmeId, owner);
      if (a === undefined) throw new Error(`account ${owner} vanished`);
      return { ok: true, account: a, key };
    }
    return { ok: true, account: await createAccount(tx, programmeId, member, { kind: 'member', scope: '', value: member }, now), key };
  }
  const byKey = await accountByKey(tx, programmeId, key.kind, key.scope, key.value);
  return { ok: true, account: byKey ?? (await createAccount(tx, programmeId, null, key, now)), key };
}
