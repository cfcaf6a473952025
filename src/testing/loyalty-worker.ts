/**
 * A second process for the loyalty concurrency tests: opens the same operational store (SQLite
 * file or PostgreSQL URL), sends the given earn or spend calls all at once, prints their outcomes
 * as JSON lines. Usage: node loyalty-worker.js '<json>'.
 */
import { fixedClock } from '../core/clock.js';
import { openOps, type OpsLocation } from '../ops/index.js';
import { earnOrder, spend } from '../loyalty/index.js';

interface Job {
  where: OpsLocation;
  now: string;
  programme: string;
  earns?: Array<{ key: string; order: Record<string, unknown> }>;
  spends?: Array<{ key: string; points: string }>;
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('usage: loyalty-worker <json>');
  const job: Job = JSON.parse(arg);
  const store = await openOps(job.where);
  const clock = fixedClock(job.now);
  try {
    process.stdout.write('ready\n');
    const earns = (job.earns ?? []).map(async (e) => {
      const r = await earnOrder(store, clock, job.programme, { who: { member_id: 'M1' }, order: e.order, key: e.key });
      return r.ok ? `ok ${r.replayed ? 'replayed' : 'new'}` : r.error.type;
    });
    const spends = (job.spends ?? []).map(async (s) => {
      const r = await spend(store, clock, job.programme, { who: { member_id: 'M1' }, points: BigInt(s.points), key: s.key });
      return r.ok ? 'ok new' : r.error.type;
    });
    for (const o of await Promise.all([...earns, ...spends])) process.stdout.write(`${o}\n`);
  } finally {
    await store.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
