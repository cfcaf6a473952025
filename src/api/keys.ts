/**
 * API keys: `rk_<key id>_<secret>`. The secret is 32 random bytes; only its SHA-256 is stored,
 * so a key is shown once, when it is created. Scopes: admin (everything), operator (read,
 * unmasked members, settings, uploads), analyst (read only, phones and emails masked),
 * integrator (ingestion only).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { str, type Db, type Row } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';

export const SCOPES = ['admin', 'operator', 'analyst', 'integrator'] as const;
export type Scope = (typeof SCOPES)[number];
export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function createKey(db: Db, clock: Clock, scope: Scope, name: string): Promise<{ key_id: string; key: string; scope: Scope; name: string }> {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.run('INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5::TIMESTAMP, NULL, NULL)', [keyId, name, scope, sha(secret), sqlTimestamp(clock.now())]);
  return { key_id: keyId, key: `rk_${keyId}_${secret}`, scope, name };
}

export async function listKeys(db: Db): Promise<Row[]> {
  return db.all(
    `SELECT key_id, name, scope, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at,
            strftime(last_used_at, '%Y-%m-%d %H:%M:%S') AS last_used_at, strftime(revoked_at, '%Y-%m-%d %H:%M:%S') AS revoked_at
     FROM api_keys ORDER BY created_at, key_id`,
  );
}

/** Revokes a key; false when there is no such (unrevoked) key. */
export async function revokeKey(db: Db, clock: Clock, keyId: string): Promise<boolean> {
  const row = await db.one('SELECT key_id FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL', [keyId]);
  if (row === undefined) return false;
  await db.run('UPDATE api_keys SET revoked_at = $2::TIMESTAMP WHERE key_id = $1', [keyId, sqlTimestamp(clock.now())]);
  return true;
}

/** The key's identity when the presented key is valid and not revoked, else null. */
export async function verifyKey(db: Db, clock: Clock, presented: string): Promise<{ key_id: string; name: string; scope: Scope } | null> {
  const m = /^rk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$/.exec(presented.trim());
  if (m === null) return null;
  const row = await db.one(
    "SELECT key_id, name, scope, hash, strftime(last_used_at, '%Y-%m-%dT%H:%M:%SZ') AS last_used_at FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL",
    [m[1] ?? ''],
  );
  const stored = str(row, 'hash');
  if (row === undefined || stored === null) return null;
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(sha(m[2] ?? ''), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const scope = str(row, 'scope') ?? '';
  if (!isScope(scope)) return null;
  // last_used_at is kept to the minute: a write per request would cost every request a write.
  const last = str(row, 'last_used_at');
  if (last === null || clock.now().getTime() - Date.parse(last) >= 60_000) {
    await db.run('UPDATE api_keys SET last_used_at = $2::TIMESTAMP WHERE key_id = $1', [m[1] ?? '', sqlTimestamp(clock.now())]);
  }
  return { key_id: m[1] ?? '', name: str(row, 'name') ?? '', scope };
}

/** Phones keep their first digits and last four; emails their first letter and domain. */
export function maskPhone(v: string): string {
  return v.length <= 7 ? '****' : `${v.slice(0, v.length - 8)}****${v.slice(-4)}`;
}
export function maskEmail(v: string): string {
  const at = v.indexOf('@');
  return at <= 0 ? '***' : `${v.slice(0, 1)}***${v.slice(at)}`;
}
