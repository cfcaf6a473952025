/** The audit log: who changed what, when (keys, settings, manual adjustments, merges). */
import { int, isoTime, text, type OpQueries } from './store.js';

export interface AuditEntry {
  audit_id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: unknown;
}

/** Appends one entry; detail is stored as JSON. */
export async function audit(q: OpQueries, at: Date, actor: string, action: string, subject: string | null, detail: unknown = null): Promise<void> {
  await q.run('INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)', [isoTime(at), actor, action, subject, JSON.stringify(detail)]);
}

/** The newest entries first, optionally only those of one action prefix (for example `keys.`). */
export async function readAudit(q: OpQueries, opts: { limit?: number; action?: string } = {}): Promise<AuditEntry[]> {
  const rows = await q.all(
    `SELECT audit_id, at, actor, action, subject, detail FROM audit_log
     WHERE (CAST(? AS TEXT) IS NULL OR action LIKE ?) ORDER BY audit_id DESC LIMIT ?`,
    [opts.action ?? null, `${opts.action ?? ''}%`, opts.limit ?? 100],
  );
  return rows.map((r) => ({
    audit_id: int(r, 'audit_id'),
    at: text(r, 'at') ?? '',
    actor: text(r, 'actor') ?? '',
    action: text(r, 'action') ?? '',
    subject: text(r, 'subject'),
    detail: JSON.parse(text(r, 'detail') ?? 'null'),
  }));
}
