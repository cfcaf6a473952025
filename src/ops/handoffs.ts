/** Hand-offs between the two stores, each recorded with its last run so `regulars status` can tell. */
import { isoTime, text, type OpQueries } from './store.js';

export interface Handoff {
  name: string;
  last_run_at: string;
  status: string;
  detail: unknown;
}

/** Records a hand-off's run (replacing the previous record of the same name). */
export async function recordHandoff(q: OpQueries, name: string, at: Date, status: string, detail: unknown): Promise<void> {
  await q.run(
    `INSERT INTO handoffs (name, last_run_at, status, detail) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at, status = excluded.status, detail = excluded.detail`,
    [name, isoTime(at), status, JSON.stringify(detail)],
  );
}

/** Every hand-off's last run, by name. */
export async function listHandoffs(q: OpQueries): Promise<Handoff[]> {
  const rows = await q.all('SELECT name, last_run_at, status, detail FROM handoffs ORDER BY name');
  return rows.map((r) => ({ name: text(r, 'name') ?? '', last_run_at: text(r, 'last_run_at') ?? '', status: text(r, 'status') ?? '', detail: JSON.parse(text(r, 'detail') ?? 'null') }));
}

/** The detail object of a hand-off's last run ({} when it never ran or recorded no object). */
export function handoffDetail(handoffs: readonly Handoff[], name: string): Record<string, unknown> {
  const d = handoffs.find((h) => h.name === name)?.detail;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? { ...d } : {};
}
