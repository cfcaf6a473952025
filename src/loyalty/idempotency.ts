/**
 * Idempotency keys for writes a caller may retry (the role of Tmall's serial_no and WeChat's
 * out_request_no). Inside the write's transaction: claim the key; a new key runs the write and
 * records a reference to its result; the same key with the same content replays the first result
 * and changes nothing; the same key with other content is refused. The unique (scope, key)
 * constraint makes a concurrent retry wait for the first and then replay it (PostgreSQL), or run
 * after it (SQLite's exclusive write transactions).
 */
import { createHash } from 'node:crypto';
import { text, type OpQueries } from '../ops/index.js';

/** A refused retry: the key was first used with other content. */
export interface IdempotencyConflict {
  type: 'idempotency_conflict';
  key: string;
  message: string;
}

/** Canonical JSON: sorted keys, bigints as decimal text, so equal content hashes equal. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The hash of a request's content. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** What a write under a key needs: the scope (`loyalty:<programme>`, `coupons:<...>`), the key and the request. */
export interface IdempotentRequest {
  scope: string;
  key: string;
  content: unknown;
}

type Outcome<T, E> = { ok: true; value: T } | { ok: false; error: E };

/**
 * Runs `write` once per (scope, key) inside the caller's transaction.
 * - new key: `write` runs; when it succeeds its `ref` is stored, when it fails the key is freed
 *   (a refused request may be retried with the same key);
 * - same key, same content: `replay(ref)` rebuilds the first result; nothing is written;
 * - same key, other content: `{ ok: false, error: { type: 'idempotency_conflict' } }`.
 * Example: `idempotent(tx, { scope: 'loyalty:p1', key, content }, () => spend(...), (ref) => readSpend(ref))`.
 */
export async function idempotent<T, E>(
  tx: OpQueries,
  req: IdempotentRequest,
  write: () => Promise<{ ok: true; value: T; ref: string } | { ok: false; error: E }>,
  replay: (ref: string) => Promise<T>,
  now: string,
): Promise<Outcome<T, E | IdempotencyConflict> & { replayed: boolean }> {
  const hash = contentHash(req.content);
  const claimed = await tx.one(
    'INSERT INTO idempotency_keys (scope, idem_key, content_hash, result_ref, created_at) VALUES (?, ?, ?, NULL, ?) ON CONFLICT (scope, idem_key) DO NOTHING RETURNING idem_key',
    [req.scope, req.key, hash, now],
  );
  if (claimed === undefined) {
    const first = await tx.one('SELECT content_hash, result_ref FROM idempotency_keys WHERE scope = ? AND idem_key = ?', [req.scope, req.key]);
    const ref = text(first, 'result_ref');
    if (text(first, 'content_hash') !== hash || ref === null) {
      return { ok: false, replayed: false, error: { type: 'idempotency_conflict', key: req.key, message: `idempotency key ${req.key} was already used for a different request` } };
    }
    return { ok: true, replayed: true, value: await replay(ref) };
  }
  const r = await write();
  if (!r.ok) {
    await tx.run('DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?', [req.scope, req.key]);
    return { ok: false, replayed: false, error: r.error };
  }
  await tx.run('UPDATE idempotency_keys SET result_ref = ? WHERE scope = ? AND idem_key = ?', [r.ref, req.scope, req.key]);
  return { ok: true, replayed: false, value: r.value };
}
