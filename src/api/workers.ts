/**
 * The server's background work, apart from request handling: the campaign scheduler on its own
 * connection to the analytical store (a slow gateway never holds the API's queue, and a campaign
 * that cannot send fails alone), and the inbox loader, which moves pending records into the member
 * base through the API's analytical queue and then publishes the identity map. After each load
 * (or an import or refresh made another way) the loyalty jobs `sync` and `arrivals` run; once a
 * day of the shop's time zone, expiry, tiers and the coupons' tier allowances; then the loyalty
 * figures (and, once a day, the coupons) are handed to the analytical store (docs/loyalty.md, "Jobs").
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { runDue, SendCrash, storedChannels, type ChannelResolver, type RunReport } from '../campaigns/index.js';
import { loadPending, publishIdentities, type LoadReport } from '../inbox/index.js';
import type { OpQueries, OpStore } from '../ops/index.js';
import { afterLoad, dailyJobs, publishLoyalty, type AfterLoadReport, type DailyReport } from '../loyalty/index.js';
import { couponVariables, dailyAllowances, dailyCouponPublish, type DailyAllowance } from '../coupons/index.js';
import type { Serial } from './context.js';

export interface WorkerOptions {
  /** Seconds between scheduler runs (0: off). */
  schedulerSeconds: number;
  /** Seconds between loader runs (0: off). */
  loaderSeconds: number;
  /** Channel adapters (default: the channels stored in the database). */
  channels?: (ops: OpQueries) => ChannelResolver;
  /** Called after each scheduler run and loader run (logs, tests). */
  onScheduler?: (r: RunReport | Error) => void;
  onLoader?: (r: LoadReport | Error) => void;
  /** Called after each loader run that ran a loyalty job. */
  onLoyalty?: (r: LoyaltyRun | Error) => void;
}

/** What one loader run did for loyalty: jobs after the load, and the daily jobs when a day began. */
export interface LoyaltyRun {
  afterLoad: AfterLoadReport[];
  daily: DailyReport[];
  /** Members published to the analytical store per programme (null: nothing ran, nothing published). */
  published: Record<string, number> | null;
  /** The day's tier allowances (coupons), once per shop day after the tier job. */
  allowances: DailyAllowance[];
  /** Coupons published to the analytical store once per shop day (null: not this run). */
  coupons_published: number | null;
}

/** Starts the workers; the returned function stops them and waits for a run in progress. */
export async function startWorkers(db: Db, ops: OpStore, clock: Clock, serial: Serial, rejectsDir: string, o: WorkerOptions): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  if (o.schedulerSeconds > 0) {
    const own = await db.connect();
    const resolver = (o.channels ?? storedChannels)(ops);
    stops.push(
      every(
        o.schedulerSeconds,
        async () => {
          try {
            o.onScheduler?.(await runDue(own, ops, clock, resolver, { variables: couponVariables(ops) }));
          } catch (err) {
            o.onScheduler?.(err instanceof Error ? err : new Error(String(err)));
            if (!(err instanceof SendCrash)) throw err;
          }
        },
        async () => own.close(),
      ),
    );
  }
  if (o.loaderSeconds > 0) {
    stops.push(
      every(o.loaderSeconds, async () => {
        try {
          const r = await serial(async () => {
            const loaded = await loadPending(db, ops, clock, { rejectsDir });
            if (loaded.batches > 0) await publishIdentities(db, ops, clock);
            return loaded;
          });
          o.onLoader?.(r);
        } catch (err) {
          o.onLoader?.(err instanceof Error ? err : new Error(String(err)));
        }
        try {
          const loyalty = await runLoyalty(db, ops, clock, serial);
          if (loyalty.afterLoad.length > 0 || loyalty.daily.length > 0 || loyalty.allowances.length > 0 || loyalty.coupons_published !== null) o.onLoyalty?.(loyalty);
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          if (o.onLoyalty !== undefined) o.onLoyalty(e);
          else process.stderr.write(`regulars: loyalty jobs failed (retried on the next run): ${e.stack ?? e.message}\n`);
        }
      }),
    );
  }
  return async () => {
    for (const s of stops) await s();
  };
}

/**
 * The loyalty jobs of one loader run: sync and arrivals through the analytical queue (they read
 * the member base), then the daily jobs, which need only the operational store (expiry, tiers,
 * then the tier allowances of coupons); when any ran, the members' figures are published to the
 * analytical store for segments, and once a day the coupons for their reports.
 */
async function runLoyalty(db: Db, ops: OpStore, clock: Clock, serial: Serial): Promise<LoyaltyRun> {
  const after = await serial(() => afterLoad(db, ops, clock));
  const daily = await dailyJobs(ops, clock);
  const published = after.length > 0 || daily.length > 0 ? await serial(() => publishLoyalty(ops, db, clock)) : null;
  const allowances = await dailyAllowances(ops, clock);
  const coupons = (await serial(() => dailyCouponPublish(db, ops, clock)))?.coupons ?? null;
  return { afterLoad: after, daily, published, allowances, coupons_published: coupons };
}

/** Runs fn every so many seconds, never two at once; stop() waits for a run in progress. */
function every(seconds: number, fn: () => Promise<void>, cleanup: () => Promise<void> = async () => undefined): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running !== null) return;
    running = fn()
      .catch((e: unknown) => {
        process.stderr.write(`regulars: background run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      })
      .finally(() => {
        running = null;
      });
  }, seconds * 1000);
  return async () => {
    clearInterval(timer);
    if (running !== null) await running;
    await cleanup();
  };
}
