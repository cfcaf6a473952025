/**
 * Batches and issue jobs on both engines: generated and imported codes in the store, a segment
 * of the analytical store issued as one job, resumed without issuing twice, stopped when codes run out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int } from '../ops/index.js';
import { createSegment } from '../segments/index.js';
import { clock as duckClock, sandbox } from '../testing/index.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { batchReports } from './report.js';
import { createBatch, createTemplate } from './catalog.js';
import { issueToMembers } from './issue.js';
import { issueToSegment } from './segment-job.js';
import { movableClock, seeded } from './testkit.js';

for (const engine of ENGINES) {
  test(`${engine}: 5,000 generated codes land unique; an import that reuses one is refused whole`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    try {
      const clock = movableClock('2026-06-15T10:00:00Z');
      const tpl = await createTemplate(box.store, clock, { name: 'ten off', kind: 'amount_off', amount: '10' });
      assert.ok(tpl.ok);
      const b = await createBatch(box.store, clock, { template_id: tpl.value.template_id, codes: { generate: 5000, spec: { prefix: 'W-', pattern: '######' } } }, seeded('gen'));
      assert.ok(b.ok);
      assert.equal(b.value.pool_size, 5000);
      assert.equal(int(await box.store.one('SELECT count(DISTINCT code) AS n FROM coupon_codes WHERE batch_id = ?', [b.value.batch_id]), 'n'), 5000);
      const one = await box.store.one('SELECT code FROM coupon_codes WHERE batch_id = ? AND seq = 7', [b.value.batch_id]);
      const reused = String(one?.['code']);
      const imp = await createBatch(box.store, clock, { template_id: tpl.value.template_id, codes: { imported: ['PRINTED-0001', reused] } });
      assert.deepEqual(imp, { ok: false, error: { type: 'codes_taken', codes: [reused] } });
      const ok = await createBatch(box.store, clock, { template_id: tpl.value.template_id, codes: { imported: ['PRINTED-0001', 'PRINTED-0002'] } });
      assert.ok(ok.ok);
      assert.equal(ok.value.mode, 'imported');
      const tooMany = await createBatch(box.store, clock, { template_id: tpl.value.template_id, codes: { generate: 200, spec: { pattern: '###', charset: '0123456789' } } });
      assert.equal(tooMany.ok ? 'made' : tooMany.error.type, 'code_space_too_small');
    } finally {
      await box.close();
    }
  });

  test(`${engine}: a segment is issued as one job; a rerun issues nothing twice; a short pool stops the job`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    const duck = await sandbox();
    try {
      const clock = movableClock('2026-06-15T10:00:00Z');
      const ts = "TIMESTAMP '2025-01-01 00:00:00'";
      const values = Array.from({ length: 1200 }, (_, i) => `('M${String(i).padStart(5, '0')}', ${i + 1}, 'n', '${i % 3 === 0 ? 'Shanghai' : 'Beijing'}', ${ts}, 1, ${ts})`).join(', ');
      await duck.db.run(`INSERT INTO members (member_id, anchor_identity_id, name, city, first_seen, identity_count, updated_at) VALUES ${values}`);
      const seg = await createSegment(box.store, duckClock, 'shanghai', { kind: 'attribute', field: 'city', op: 'eq', value: 'Shanghai' });
      const tpl = await createTemplate(box.store, clock, { name: 'win back', kind: 'amount_off', amount: '15', validity: { days_after_issue: 30 } });
      assert.ok(tpl.ok);
      const b = await createBatch(box.store, clock, { template_id: tpl.value.template_id, codes: { generate: 450 } }, seeded('seg'));
      assert.ok(b.ok);
      const first = await issueToSegment(duck.db, box.store, clock, { batch_id: b.value.batch_id, segment_id: seg.segment_id, as_of: '2026-06-15', job_id: 'J1' });
      assert.ok(first.ok);
      assert.deepEqual({ members: first.value.members, issued: first.value.issued, skipped: first.value.skipped, state: first.value.state }, { members: 400, issued: 400, skipped: 0, state: 'done' });
      const again = await issueToSegment(duck.db, box.store, clock, { batch_id: b.value.batch_id, segment_id: seg.segment_id, as_of: '2026-06-15', job_id: 'J1' });
      assert.ok(again.ok);
      assert.equal(again.value.issued, 400);
      assert.equal(int(await box.store.one('SELECT count(*) AS n FROM coupons'), 'n'), 400);
      // A second job over the same members of the same batch skips them all (one coupon of a batch per member from jobs).
      const other = await issueToMembers(box.store, clock, { job_id: 'J2', batch_id: b.value.batch_id, source: 'list', members: ['M00000', 'M00003', 'NEW1'] });
      assert.ok(other.ok);
      assert.deepEqual([other.value.issued, other.value.skipped], [1, 2]);
      // 49 codes left; 100 new members: the job stops with codes_exhausted and issues none of the chunk.
      const short = await issueToMembers(box.store, clock, { job_id: 'J3', batch_id: b.value.batch_id, source: 'list', members: Array.from({ length: 100 }, (_, i) => `X${i}`) });
      assert.equal(short.ok ? 'done' : short.error.type, 'codes_exhausted');
      const [report] = await batchReports(box.store, clock, { batch_id: b.value.batch_id });
      assert.equal(report?.issued, 401);
      assert.equal(report?.available, 401);
      const dates = await box.store.one('SELECT min(valid_until) AS lo, max(valid_until) AS hi FROM coupons');
      assert.deepEqual([dates?.['lo'], dates?.['hi']], ['2026-07-15T10:00:00.000Z', '2026-07-15T10:00:00.000Z']);
    } finally {
      duck.close();
      await box.close();
    }
  });
}
