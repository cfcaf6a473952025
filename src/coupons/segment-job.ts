/**
 * Issuing a batch to a saved segment: a hand-off from the analytical store (the segment's frozen
 * member list) to the operational store (the coupons), never a join across them. The job
 * remembers the snapshot it read, so a rerun of the same job after a crash reads the same members
 * and issues only to those who have no coupon of the batch yet.
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { recordHandoff, text, type OpStore } from '../ops/index.js';
import { getSegment, snapshotMemberIds, snapshotSegment } from '../segments/index.js';
import { newId } from './catalog.js';
import { issueToMembers, type JobReport } from './issue.js';
import type { Result } from './result.js';

/**
 * Issues the batch to the members of a segment as of a date (a new snapshot), as job `job_id`
 * (new when absent). Rerunning with the job ID resumes on the snapshot the job first took.
 */
export async function issueToSegment(
  db: Db,
  ops: OpStore,
  clock: Clock,
  req: { batch_id: string; segment_id: string; as_of: string; job_id?: string },
  onChunk: (done: number, total: number) => void = () => undefined,
): Promise<Result<JobReport>> {
  const jobId = req.job_id ?? newId('J');
  const prior = await ops.one('SELECT source FROM coupon_issue_jobs WHERE job_id = ?', [jobId]);
  const source = text(prior, 'source');
  let snapshotId: number;
  const m = source === null ? null : /^segment:[^:]+:snapshot:(\d+)$/.exec(source);
  if (m !== null && m !== undefined) snapshotId = Number(m[1]);
  else {
    await getSegment(ops, req.segment_id); // throws SegmentError when it does not exist
    snapshotId = (await snapshotSegment(db, ops, clock, req.segment_id, req.as_of)).snapshot_id;
  }
  const members = await snapshotMemberIds(db, snapshotId);
  const r = await issueToMembers(ops, clock, { job_id: jobId, batch_id: req.batch_id, source: `segment:${req.segment_id}:snapshot:${snapshotId}`, members }, (done) => onChunk(done, members.length));
  await recordHandoff(ops, 'coupons.issue_job', clock.now(), r.ok ? r.value.state : r.error.type, r.ok ? r.value : r.error);
  return r;
}
