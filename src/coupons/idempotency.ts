/**
 * Idempotency of coupon operations: every state change carries the caller's key. The first call
 * with a key claims it in the same transaction as the change; a retry with the same key and the
 * same request returns the first result and changes nothing; the same key with a different
 * request is refused. A refused operation rolls back its claim, so the key stays free.
 */
import { createHash } from 'node:crypto';
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isoTime, text, type OpQueries } from '../ops/index.js';
import { refuse } from './result.js';

/** Canonical JSON (sorted keys) of a request, bigints as strings. */
export function canonical(v: unknown): string {
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * Runs `fn` once per key inside the caller's transaction: the stored first result on a retry
 * (checked against `schema`), `idempotency_conflict` when the key came with another request.
 */
export async function once<S extends TSchema>(tx: OpQueries, op: string, key: string, request: unknown, now: Date, schema: S, fn: () => Promise<Static<S>>): Promise<Static<S>> {
  const hash = createHash('sha256')
    .update(`${op}\n${canonical(request)}`)
    .digest('hex');
  const claimed = await tx.one('INSERT INTO coupon_ops (op_key, op, request_hash, result, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (op_key) DO NOTHING RETURNING op_key', [
    key,
    op,
    hash,
    '',
    isoTime(now),
  ]);
  if (claimed === undefined) {
    const first = await tx.one('SELECT op, request_hash, result FROM coupon_ops WHERE op_key = ?', [key]);
    if (text(first, 'request_hash') !== hash) return refuse({ type: 'idempotency_conflict', key, op: text(first, 'op') ?? '' });
    const stored: unknown = JSON.parse(text(first, 'result') ?? 'null');
    if (!Value.Check(schema, stored)) throw new Error(`stored result of ${op} ${key} does not match its schema`);
    return stored;
  }
  const result = await fn();
  await tx.run('UPDATE coupon_ops SET result = ? WHERE op_key = ?', [JSON.stringify(result), key]);
  return result;
}
