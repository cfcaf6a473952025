/**
 * API keys: `rk_<key id>_<secret>`. The secret is 32 random bytes; only its SHA-256 is stored,
 * so a key is shown once, when it is created. Keys live in the operational store, so a key made
 * with the CLI while a server runs works at once on every API process. Scopes: admin
 * (everything), operator (read, unmasked members, settings, uploads), analyst (read only, phones
 * and emails masked), integrator (ingestion only), pos (tills and shops: ingestion and loyalty).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { audit, isoTime, text, type OpRow, type OpStore } from '../ops/index.js';

export const SCOPES = ['admin', 'operator', 'analyst', 'integrator', 'pos'] as const;
export type Scope = (typeof SCOPES)[number];
export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Creates a key and returns it (the only time its secret is known). */
export async function createKey(ops: OpStore, clock: Clock, scope: Scope, name: string, actor = 'cli'): Promise<{ key_id: string; key: string; scope: Scope; name: string }> {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const now = clock.now();
  await ops.transaction(async (tx) => {
    await tx.run('INSERT INTO api_keys (key_id, name, scope, hash, created_at) VALUES (?, ?, ?, ?, ?)', [keyId, name, scope, sha(secret), isoTime(now)]);
    await audit(tx, now, actor, 'keys.create', keyId, { scope, name });
  });
  return { key_id: keyId, key: `rk_${keyId}_${secret}`, scope, name };
}

const shown = (v: string | null): string | null => (v === null ? null : v.slice(0, 19).replace('T', ' '));

/** Every key, oldest first (never the secrets). */
export async function listKeys(ops: OpStore): Promise<Array<{ key_id: string; name: string; scope: string; created_at: string | null; last_used_at: string | null; revoked_at: string | null }>> {
  const rows = await ops.all('SELECT key_id, name, scope, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at, key_id');
  return rows.map((r: OpRow) => ({
    key_id: text(r, 'key_id') ?? '',
    name: text(r, 'name') ?? '',
    scope: text(r, 'scope') ?? '',
    created_at: shown(text(r, 'created_at')),
    last_used_at: shown(text(r, 'last_used_at')),
    revoked_at: shown(text(r, 'revoked_at')),
  }));
}

/** Revokes a key; false when there is no such (unrevoked) key. */
export async function revokeKey(ops: OpStore, clock: Clock, keyId: string, actor = 'cli'): Promise<boolean> {
  const now = clock.now();
  return ops.transaction(async (tx) => {
    const changed = await tx.run('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', [isoTime(now), keyId]);
    if (changed === 0) return false;
    await audit(tx, now, actor, 'keys.revoke', keyId);
    return true;
  });
}

/** The key's identity when the presented key is valid and not revoked, else null. */
export async function verifyKey(ops: OpStore, clock: Clock, presented: string): Promise<{ key_id: string; name: string; scope: Scope } | null> {
  const m = /^rk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$/.exec(presented.trim());
  if (m === null) return null;
  const keyId = m[1] ?? '';
  const row = await ops.one('SELECT key_id, name, scope, hash, last_used_at FROM api_keys WHERE key_id = ? AND revoked_at IS NULL', [keyId]);
  const stored = text(row, 'hash');
  if (row === undefined || stored === null) return null;
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(sha(m[2] ?? ''), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const scope = text(row, 'scope') ?? '';
  if (!isScope(scope)) return null;
  // last_used_at is kept to the minute: a write per request would cost every request a write.
  const last = text(row, 'last_used_at');
  const now = clock.now();
  if (last === null || now.getTime() - Date.parse(last) >= 60_000) {
    await ops.run('UPDATE api_keys SET last_used_at = ? WHERE key_id = ?', [isoTime(now), keyId]);
  }
  return { key_id: keyId, name: text(row, 'name') ?? '', scope };
}

/**
 * Upgrade in place: a database made before the operational store kept its keys in the analytical
 * file. They are copied across (a key already there is kept), then dropped from the analytical
 * file; run again after a crash between the two, it copies nothing twice.
 */
export async function adoptKeys(rows: ReadonlyArray<Record<string, unknown>>, ops: OpStore): Promise<number> {
  let n = 0;
  await ops.transaction(async (tx) => {
    for (const r of rows) {
      const v = (k: string): string | null => (r[k] === null || r[k] === undefined ? null : String(r[k]));
      n += await tx.run('INSERT INTO api_keys (key_id, name, scope, hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING', [
        v('key_id'),
        v('name'),
        v('scope'),
        v('hash'),
        v('created_at'),
        v('last_used_at'),
        v('revoked_at'),
      ]);
    }
  });
  return n;
}

/** Phones keep their first digits and last four; emails their first letter and domain. */
export function maskPhone(v: string): string {
  return v.length <= 7 ? '****' : `${v.slice(0, v.length - 8)}****${v.slice(-4)}`;
}
/** Emails keep their first letter and domain. */
export function maskEmail(v: string): string {
  const at = v.indexOf('@');
  return at <= 0 ? '***' : `${v.slice(0, 1)}***${v.slice(at)}`;
}
