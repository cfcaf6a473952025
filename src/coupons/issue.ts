/**
 * Issuing coupons: to one member by the caller's key, or to many members as a resumable job
 * (a saved segment, a campaign's treatment group) in chunks, each chunk one transaction. A job
 * issues at most one coupon of a batch per member (issue_ref `member:ID`), so a rerun after a
 * crash issues nothing twice.
 */
import type { Clock } from '../core/clock.js';
import { audit, big, int, isoTime, text, type OpQueries, type OpRow, type OpStore } from '../ops/index.js';
import { getBatch, getTemplate, type Batch, type StoredTemplate } from './catalog.js';
import { once } from './idempotency.js';
import { refusable, refuse, type Result } from './result.js';
import { CouponView } from './schemas.js';
import { validityFor } from './template.js';
import { fromUnits } from '../core/decimal.js';

const COUPON_COLUMNS = 'coupon_id, code, member_id, batch_id, template_id, state, valid_from, valid_until, issued_at, reserved_until, discount, order_id';

/** A coupon row as the API shows it; an issued coupon past its validity shows as `expired`. */
export function couponView(r: OpRow, now: Date): CouponView {
  const until = text(r, 'valid_until');
  const state = text(r, 'state') ?? '';
  const discount = r['discount'];
  return {
    coupon_id: int(r, 'coupon_id'),
    code: text(r, 'code') ?? '',
    member_id: text(r, 'member_id') ?? '',
    batch_id: text(r, 'batch_id') ?? '',
    template_id: text(r, 'template_id') ?? '',
    state: state === 'issued' && until !== null && until <= now.toISOString() ? 'expired' : state,
    valid_from: text(r, 'valid_from'),
    valid_until: until,
    issued_at: text(r, 'issued_at') ?? '',
    reserved_until: state === 'reserved' ? text(r, 'reserved_until') : null,
    discount: discount === null || discount === undefined ? null : fromUnits(big(r, 'discount')),
    order_id: text(r, 'order_id'),
  };
}

/** A member's coupons, newest first. */
export async function memberCoupons(q: OpQueries, clock: Clock, memberId: string): Promise<CouponView[]> {
  const rows = await q.all(`SELECT ${COUPON_COLUMNS} FROM coupons WHERE member_id = ? ORDER BY coupon_id DESC`, [memberId]);
  const now = clock.now();
  return rows.map((r) => couponView(r, now));
}

/** Locks the batch's template row (so per-member limits and the code pool hold under concurrency) and returns the batch. */
async function lockBatch(tx: OpQueries, store: OpStore, batchId: string): Promise<Batch> {
  const batch = await getBatch(tx, batchId);
  if (batch === undefined) return refuse({ type: 'unknown_batch', batch_id: batchId });
  await tx.one(`SELECT template_id FROM coupon_templates WHERE template_id = ?${store.dialect.forUpdate}`, [batch.template_id]);
  return batch;
}

/** Takes n codes from the batch's pool (positions in order), or refuses when it runs out. */
async function takeCodes(tx: OpQueries, batch: Batch, n: number): Promise<string[]> {
  if (batch.mode === 'shared') return Array.from({ length: n }, () => batch.shared_code ?? '');
  const row = await tx.one('UPDATE coupon_batches SET next_seq = next_seq + ? WHERE batch_id = ? AND next_seq + ? <= pool_size RETURNING next_seq', [n, batch.batch_id, n]);
  if (row === undefined) return refuse({ type: 'codes_exhausted', batch_id: batch.batch_id });
  const end = int(row, 'next_seq');
  const rows = await tx.all('SELECT code FROM coupon_codes WHERE batch_id = ? AND seq >= ? AND seq < ? ORDER BY seq', [batch.batch_id, end - n, end]);
  return rows.map((r) => text(r, 'code') ?? '');
}

/** How many coupons of a template each of the members holds (any state but void). */
async function heldCounts(tx: OpQueries, templateId: string, members: readonly string[]): Promise<Map<string, number>> {
  const rows = await tx.all(`SELECT member_id, count(*) AS n FROM coupons WHERE template_id = ? AND state <> 'void' AND member_id IN (${members.map(() => '?').join(', ')}) GROUP BY member_id`, [
    templateId,
    ...members,
  ]);
  return new Map(rows.map((r) => [text(r, 'member_id') ?? '', int(r, 'n')]));
}

async function insertCoupons(
  tx: OpQueries,
  batch: Batch,
  items: ReadonlyArray<{ member_id: string; code: string; issue_ref: string }>,
  jobId: string | null,
  at: Date,
  validity: { from: string | null; until: string | null },
): Promise<void> {
  for (let i = 0; i < items.length; i += 400) {
    const part = items.slice(i, i + 400);
    await tx.run(
      `INSERT INTO coupons (batch_id, template_id, member_id, code, issue_ref, job_id, state, valid_from, valid_until, issued_at) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?)").join(', ')}`,
      part.flatMap((c) => [batch.batch_id, batch.template_id, c.member_id, c.code, c.issue_ref, jobId, validity.from, validity.until, isoTime(at)]),
    );
  }
}

/** Issues one coupon of a batch inside the caller's transaction, under issue_ref `ref` (refusals throw and roll back). */
export async function issueOneIn(tx: OpQueries, store: OpStore, now: Date, req: { batch_id: string; member_id: string; ref: string }): Promise<{ view: CouponView; template: StoredTemplate }> {
  const batch = await lockBatch(tx, store, req.batch_id);
  const st = await getTemplate(tx, batch.template_id);
  if (st === undefined) throw new Error(`template ${batch.template_id} of batch ${batch.batch_id} is missing`);
  const limit = st.template.per_member_limit;
  if (limit !== null && ((await heldCounts(tx, batch.template_id, [req.member_id])).get(req.member_id) ?? 0) >= limit) {
    refuse({ type: 'member_limit_reached', template_id: batch.template_id, limit });
  }
  const [code = ''] = await takeCodes(tx, batch, 1);
  await insertCoupons(tx, batch, [{ member_id: req.member_id, code, issue_ref: req.ref }], null, now, validityFor(st.template, now));
  const row = await tx.one(`SELECT ${COUPON_COLUMNS} FROM coupons WHERE batch_id = ? AND issue_ref = ?`, [batch.batch_id, req.ref]);
  if (row === undefined) throw new Error('issued coupon not found');
  return { view: couponView(row, now), template: st };
}

/**
 * Issues one coupon of a batch to a member. Refused (a value) for an unknown batch, a member at
 * the template's per-member limit, or a pool with no codes left.
 */
export async function issueCoupon(store: OpStore, clock: Clock, req: { key: string; batch_id: string; member_id: string }, actor = 'api'): Promise<Result<CouponView>> {
  const now = clock.now();
  return refusable(() =>
    store.transaction((tx) =>
      once(tx, 'issue', req.key, { batch_id: req.batch_id, member_id: req.member_id }, now, CouponView, async () => {
        const { view } = await issueOneIn(tx, store, now, { batch_id: req.batch_id, member_id: req.member_id, ref: `key:${req.key}` });
        await audit(tx, now, actor, 'coupons.issue', view.code, { batch_id: req.batch_id, member_id: req.member_id, key: req.key });
        return view;
      }),
    ),
  );
}

export interface JobReport {
  readonly job_id: string;
  readonly batch_id: string;
  readonly source: string;
  readonly members: number;
  readonly issued: number;
  /** Members who already had this batch's coupon, or were at the template's per-member limit. */
  readonly skipped: number;
  readonly state: 'running' | 'done' | 'stopped: codes_exhausted';
}

const jobOf = (r: OpRow): JobReport => {
  const state = text(r, 'state');
  return {
    job_id: text(r, 'job_id') ?? '',
    batch_id: text(r, 'batch_id') ?? '',
    source: text(r, 'source') ?? '',
    members: int(r, 'members'),
    issued: int(r, 'issued'),
    skipped: int(r, 'skipped'),
    state: state === 'done' ? 'done' : state === 'running' ? 'running' : 'stopped: codes_exhausted',
  };
};

/** An issue job by ID, or undefined. */
export async function getJob(q: OpQueries, jobId: string): Promise<JobReport | undefined> {
  const r = await q.one('SELECT * FROM coupon_issue_jobs WHERE job_id = ?', [jobId]);
  return r === undefined ? undefined : jobOf(r);
}

/**
 * Issues a batch's coupon to every member of a list, as job `jobId` (a rerun with the same ID
 * resumes: members who already have the batch's coupon are skipped). `onChunk` reports progress.
 */
export async function issueToMembers(
  store: OpStore,
  clock: Clock,
  req: { job_id: string; batch_id: string; source: string; members: readonly string[] },
  onChunk: (done: number) => void = () => undefined,
  chunk = 1000,
): Promise<Result<JobReport>> {
  const started = isoTime(clock.now());
  const batch = await getBatch(store, req.batch_id);
  if (batch === undefined) return { ok: false, error: { type: 'unknown_batch', batch_id: req.batch_id } };
  const st = await getTemplate(store, batch.template_id);
  if (st === undefined) throw new Error(`template ${batch.template_id} is missing`);
  await store.run(`INSERT INTO coupon_issue_jobs (job_id, batch_id, source, members, issued, skipped, state, started_at) VALUES (?, ?, ?, ?, 0, 0, 'running', ?) ON CONFLICT (job_id) DO NOTHING`, [
    req.job_id,
    req.batch_id,
    req.source,
    req.members.length,
    started,
  ]);
  const members = [...new Set(req.members)];
  for (let i = 0; i < members.length; i += chunk) {
    const part = members.slice(i, i + chunk);
    const r = await refusable(() =>
      store.transaction(async (tx) => {
        const now = clock.now();
        const locked = await lockBatch(tx, store, req.batch_id);
        const refs = part.map((m) => `member:${m}`);
        const have = new Set<string>();
        for (let j = 0; j < refs.length; j += 500) {
          const sub = refs.slice(j, j + 500);
          const rows = await tx.all(`SELECT issue_ref FROM coupons WHERE batch_id = ? AND issue_ref IN (${sub.map(() => '?').join(', ')})`, [req.batch_id, ...sub]);
          for (const row of rows) have.add(text(row, 'issue_ref') ?? '');
        }
        let fresh = part.filter((m) => !have.has(`member:${m}`));
        const limit = st.template.per_member_limit;
        if (limit !== null && fresh.length > 0) {
          const held = new Map<string, number>();
          for (let j = 0; j < fresh.length; j += 500) for (const [k, v] of await heldCounts(tx, batch.template_id, fresh.slice(j, j + 500))) held.set(k, v);
          fresh = fresh.filter((m) => (held.get(m) ?? 0) < limit);
        }
        if (fresh.length > 0) {
          const codes = await takeCodes(tx, locked, fresh.length);
          await insertCoupons(
            tx,
            locked,
            fresh.map((m, j) => ({ member_id: m, code: codes[j] ?? '', issue_ref: `member:${m}` })),
            req.job_id,
            now,
            validityFor(st.template, now),
          );
        }
      }),
    );
    if (!r.ok) {
      await store.run("UPDATE coupon_issue_jobs SET state = 'stopped: codes_exhausted', finished_at = ? WHERE job_id = ?", [isoTime(clock.now()), req.job_id]);
      return r;
    }
    onChunk(Math.min(i + chunk, members.length));
  }
  await store.transaction(async (tx) => {
    const issued = int(await tx.one('SELECT count(*) AS n FROM coupons WHERE job_id = ?', [req.job_id]), 'n');
    await tx.run("UPDATE coupon_issue_jobs SET state = 'done', issued = ?, skipped = ?, finished_at = ? WHERE job_id = ?", [issued, members.length - issued, isoTime(clock.now()), req.job_id]);
    const job = await getJob(tx, req.job_id);
    await audit(tx, clock.now(), 'job', 'coupons.issue_job', req.job_id, job ?? null);
  });
  const job = await getJob(store, req.job_id);
  if (job === undefined) throw new Error(`job ${req.job_id} vanished`);
  return { ok: true, value: job };
}
