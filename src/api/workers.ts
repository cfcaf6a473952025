/**
 * The server's background work, apart from request handling: the campaign scheduler on its own
 * connection to the analytical store (a slow gateway never holds the API's queue, and a campaign
 * that cannot send fails alone), and the inbox loader, which moves pending records into the member
 * base through the API's analytical queue and then publishes the identity map.
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { runDue, SendCrash, storedChannels, type ChannelResolver, type RunReport } from '../campaigns/index.js';
import { loadPending, publishIdentities, type LoadReport } from '../inbox/index.js';
import type { OpStore } from '../ops/index.js';
import { couponVariables } from '../coupons/index.js';
import type { Serial } from './context.js';

export interface WorkerOptions {
  /** Seconds between scheduler runs (0: off). */
  schedulerSeconds: number;
  /** Seconds between loader runs (0: off). */
  loaderSeconds: number;
  /** Channel adapters (default: the channels stored in the database). */
  channels?: (db: Db) => ChannelResolver;
  /** Called after each scheduler run and loader run (logs, tests). */
  onScheduler?: (r: RunReport | Error) => void;
  onLoader?: (r: LoadReport | Error) => void;
}

/** Starts the workers; the returned function stops them and waits for a run in progress. */
export async function startWorkers(db: Db, ops: OpStore, clock: Clock, serial: Serial, rejectsDir: string, o: WorkerOptions): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  if (o.schedulerSeconds > 0) {
    const own = await db.connect();
    const resolver = (o.channels ?? storedChannels)(own);
    stops.push(
      every(
        o.schedulerSeconds,
        async () => {
          try {
            o.onScheduler?.(await runDue(own, clock, resolver, { variables: couponVariables(ops) }));
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
      }),
    );
  }
  return async () => {
    for (const s of stops) await s();
  };
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
