/**
 * The loyalty jobs a server runs by itself, each recorded as a hand-off (`regulars status`):
 * after a load or refresh, `sync` (till accounts joined to the members the published identity
 * map names) and `arrivals` (new orders earn, returns and cancellations reverse); once a day of
 * the shop's time zone, `expiry` and `tiers`. Every step is idempotent, so a crash or a second
 * run repeats nothing.
 */
import type { Clock } from '../core/clock.js';
import { int as dint, type Db } from '../core/db/index.js';
import { handoffDetail, listHandoffs, recordHandoff, type OpStore } from '../ops/index.js';
import { takeArrivals, type ArrivalsReport } from './arrivals.js';
import { runExpiry } from './expiry.js';
import { toJson, type Json } from './json.js';
import { syncAccounts } from './merge.js';
import { listProgrammes, loadProgramme } from './programme.js';
import { runTierJob } from './tiers.js';
import { localDay, shopZone } from './time.js';

/** The hand-off names of a programme's jobs. */
export const JOB_NAMES = {
  sync: (p: string) => `loyalty sync: identities -> accounts (${p})`,
  arrivals: (p: string) => `loyalty arrivals: orders -> points (${p})`,
  expiry: (p: string) => `loyalty expiry (${p})`,
  tiers: (p: string) => `loyalty tiers (${p})`,
};
const IDENTITIES = 'identities -> operational';

/** `regulars loyalty sync`, recorded: joins till accounts to the members the map now names. */
export async function syncJob(ops: OpStore, clock: Clock, programmeId: string): Promise<{ joined: number; merged: number }> {
  const handoffs = await listHandoffs(ops);
  const r = await syncAccounts(ops, clock, programmeId);
  await recordHandoff(ops, JOB_NAMES.sync(programmeId), clock.now(), 'ok', { ...r, identities_seq: handoffDetail(handoffs, IDENTITIES)['through_seq'] ?? null });
  return r;
}

/** `regulars loyalty arrivals`, recorded: earns new paid orders, reverses new returns and cancellations. */
export async function arrivalsJob(db: Db, ops: OpStore, clock: Clock, programmeId: string): Promise<ArrivalsReport> {
  const r = await takeArrivals(db, ops, clock, programmeId);
  await recordHandoff(ops, JOB_NAMES.arrivals(programmeId), clock.now(), 'ok', r);
  return r;
}

export interface AfterLoadReport {
  programme: string;
  sync: { joined: number; merged: number } | null;
  arrivals: ArrivalsReport | null;
}

/**
 * After a load or a refresh: for every programme, `sync` when identities were published since its
 * last run and `arrivals` when an import is newer than its last run; nothing when neither moved.
 */
export async function afterLoad(db: Db, ops: OpStore, clock: Clock): Promise<AfterLoadReport[]> {
  const handoffs = await listHandoffs(ops);
  const seq = handoffDetail(handoffs, IDENTITIES)['through_seq'] ?? null;
  const top = String(dint(await db.one('SELECT coalesce(max(import_id), 0) AS m FROM imports'), 'm'));
  const out: AfterLoadReport[] = [];
  for (const p of await listProgrammes(ops)) {
    const syncDue = seq !== null && handoffDetail(handoffs, JOB_NAMES.sync(p))['identities_seq'] !== seq;
    const arrivalsDue = top !== '0' && handoffDetail(handoffs, JOB_NAMES.arrivals(p))['through_import'] !== top;
    if (!syncDue && !arrivalsDue) continue;
    // Sync first: orders of a buyer first seen at a till then earn on the joined account.
    const sync = syncDue ? await syncJob(ops, clock, p) : null;
    const arrivals = arrivalsDue ? await arrivalsJob(db, ops, clock, p) : null;
    out.push({ programme: p, sync, arrivals });
  }
  return out;
}

export interface DailyReport {
  programme: string;
  day: string;
  expiry: Json | null;
  tiers: Json | null;
}

/**
 * The daily jobs: once per day of the shop's time zone (the first run on or after its midnight),
 * expiry and then the tier job for every programme. A day already done is skipped, also after a
 * restart (the day is kept in the hand-off).
 */
export async function dailyJobs(ops: OpStore, clock: Clock): Promise<DailyReport[]> {
  const now = clock.now();
  const day = localDay(now, await shopZone(ops));
  const handoffs = await listHandoffs(ops);
  const out: DailyReport[] = [];
  for (const p of await listProgrammes(ops)) {
    const report: DailyReport = { programme: p, day, expiry: null, tiers: null };
    if (handoffDetail(handoffs, JOB_NAMES.expiry(p))['day'] !== day) {
      report.expiry = toJson(await runExpiry(ops, clock, p));
      await recordHandoff(ops, JOB_NAMES.expiry(p), now, 'ok', { day, ...toObject(report.expiry) });
    }
    const tiered = (await loadProgramme(ops, p))?.tiers !== undefined;
    if (tiered && handoffDetail(handoffs, JOB_NAMES.tiers(p))['day'] !== day) {
      report.tiers = toJson(await runTierJob(ops, clock, p));
      await recordHandoff(ops, JOB_NAMES.tiers(p), now, 'ok', { day, ...toObject(report.tiers) });
    }
    if (report.expiry !== null || report.tiers !== null) out.push(report);
  }
  return out;
}

function toObject(j: Json): Record<string, Json> {
  return typeof j === 'object' && j !== null && !Array.isArray(j) ? j : {};
}
