/**
 * The embedded operational store: one SQLite file (better-sqlite3) in WAL mode, so readers never
 * wait and several processes (the server and a CLI command) can write with a busy timeout.
 */
import { randomInt } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Dialect, OpParam, OpQueries, OpRow, OpStore } from './store.js';

/** How long a writer waits for another connection's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

const isBusy = (e: unknown): boolean => typeof e === 'object' && e !== null && 'code' in e && (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_BUSY_SNAPSHOT');

/**
 * Runs a synchronous SQLite call, and while another connection holds the write lock, waits and
 * tries again without blocking the event loop (SQLite's own busy timeout would block it, and a
 * connection in the same process could then never finish the transaction it waits for).
 */
async function patiently<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, randomInt(1, wait + 2)));
    }
  }
}

const isRow = (v: unknown): v is OpRow => typeof v === 'object' && v !== null;

/**
 * better-sqlite3 is synchronous, so a statement never interleaves with another; but a transaction
 * whose body awaits would let other requests' statements run inside it. One chain of promises per
 * connection keeps each transaction whole.
 */
function chain(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * How a connection's write-ahead log is copied back into the database file: `inline`, SQLite's
 * default (the commit that fills 1,000 pages does it, fsyncs included, on the caller's thread), or
 * `background` (a worker thread does it every 100 ms; for servers, whose event loop must not wait
 * on the disk). An object is `background` with other timings (tests use it).
 */
export type Checkpoints = 'inline' | 'background' | Partial<CheckpointTimings>;

/** The background checkpointer's timings (see `src/ops/checkpointer.ts`). */
export interface CheckpointTimings {
  /** How often it checkpoints. */
  everyMs: number;
  /** A log file larger than this is truncated to nothing once the store has been quiet... */
  walLimitBytes: number;
  /** ...for this long (no commit by any connection). */
  quietMs: number;
}

const DEFAULT_TIMINGS: CheckpointTimings = { everyMs: 100, walLimitBytes: 64 * 1024 * 1024, quietMs: 5000 };

/**
 * Starts the worker thread that checkpoints `path`; if it fails, the connection goes back to
 * checkpointing inline, so the log never grows without bound.
 */
function backgroundCheckpointer(path: string, db: Database.Database, timings: CheckpointTimings): () => Promise<void> {
  const worker = new Worker(new URL('./checkpointer.js', import.meta.url), { workerData: { path, ...timings } });
  worker.unref();
  let alive = true;
  const inline = (): void => {
    if (!alive) return;
    alive = false;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', inline);
  worker.on('exit', inline);
  db.pragma('wal_autocheckpoint = 0');
  return () =>
    new Promise<void>((done) => {
      if (!alive) return done();
      // Held while it stops, so the process waits for the last checkpoint instead of exiting with
      // the main connection still open; a worker that does not answer is ended after 5 s.
      worker.ref();
      const giveUp = setTimeout(() => void worker.terminate(), 5000);
      worker.once('exit', () => {
        clearTimeout(giveUp);
        done();
      });
      worker.once('message', () => void worker.terminate());
      worker.postMessage('stop');
    });
}

/** Opens (creating if needed) the SQLite file. */
export function openSqlite(path: string, checkpoints: Checkpoints = 'inline'): OpStore {
  const db = new Database(path, { timeout: 0 });
  // Setting WAL needs the file's lock once; another process may be creating it at the same moment.
  const wal = (): unknown => db.pragma('journal_mode = WAL');
  for (let i = 0; ; i++) {
    try {
      wal();
      break;
    } catch (err) {
      if (!isBusy(err) || i > 2000) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // No commit truncates the log (SQLite's default, -1): on a file system mounted with `discard`,
  // truncating a large log frees its blocks with a synchronous discard that took 330-500 ms during
  // an import, on the thread of whichever connection committed first after the log was reset (a
  // server's event loop). A server's checkpointer gives a large log back once the store is quiet;
  // SQLite deletes the log when the last connection closes.
  db.pragma('journal_size_limit = -1');
  const stopCheckpoints = checkpoints === 'inline' ? async () => undefined : backgroundCheckpointer(path, db, { ...DEFAULT_TIMINGS, ...(checkpoints === 'background' ? {} : checkpoints) });
  db.defaultSafeIntegers(true);
  const serial = chain();
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, s);
    }
    return s;
  };
  const direct: OpQueries = {
    all: async (sql, params = []) => {
      const s = prepare(sql);
      if (!s.reader) {
        await patiently(() => s.run(...params));
        return [];
      }
      return (await patiently(() => s.all(...params))).filter(isRow);
    },
    one: async (sql, params = []) => {
      const s = prepare(sql);
      if (!s.reader) {
        await patiently(() => s.run(...params));
        return undefined;
      }
      const r: unknown = await patiently(() => s.get(...params));
      return isRow(r) ? r : undefined;
    },
    run: async (sql, params: readonly OpParam[] = []) => Number((await patiently(() => prepare(sql).run(...params))).changes),
  };
  const dialect: Dialect = { forUpdate: '' };
  return {
    engine: 'sqlite',
    location: path,
    dialect,
    // Statements outside a transaction wait for it (a transaction's body uses its `tx`, never these).
    all: (sql, params) => serial(() => direct.all(sql, params)),
    one: (sql, params) => serial(() => direct.one(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    transaction: <T>(fn: (tx: OpQueries) => Promise<T>): Promise<T> =>
      serial(async () => {
        await patiently(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await fn(direct);
          await patiently(() => db.exec('COMMIT'));
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    exec: (sql) => serial(async () => void (await patiently(() => db.exec(sql)))),
    close: () =>
      serial(async () => {
        await stopCheckpoints();
        db.close();
      }),
  };
}
