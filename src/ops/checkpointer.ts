/**
 * The background checkpointer of a long-running process's SQLite connection (see `openSqlite`'s
 * `checkpoints: 'background'`). It runs in a worker thread with its own connection and copies the
 * write-ahead log back into the database file every `everyMs` milliseconds (PASSIVE: it never
 * waits for, nor blocks, the writers and readers of other connections). The fsyncs a checkpoint
 * makes then wait here, not on the event loop that answers requests: on a disk kept busy by an
 * import, one fsync can take tens of milliseconds.
 *
 * No connection truncates the log when it commits (see `openSqlite`), so a burst leaves a large
 * log file, which SQLite reuses from its start. Once the log is larger than `walLimitBytes` and no
 * connection has committed for `quietMs`, a TRUNCATE checkpoint gives it back: the freeing of its
 * blocks (a synchronous discard on some file systems) then happens here, while nobody writes. A
 * writer that comes during it finds the store busy and retries without blocking its event loop.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Job {
  path: string;
  everyMs: number;
  walLimitBytes: number;
  quietMs: number;
}

const isNumber = (v: object, k: string): boolean => typeof Reflect.get(v, k) === 'number';
const isJob = (v: unknown): v is Job => typeof v === 'object' && v !== null && 'path' in v && typeof v.path === 'string' && ['everyMs', 'walLimitBytes', 'quietMs'].every((k) => isNumber(v, k));

const isBusy = (e: unknown): boolean => typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY');

if (!isJob(workerData) || parentPort === null) throw new Error('checkpointer: started without its job');
const port = parentPort;
const job: Job = workerData;
const db = new Database(job.path, { timeout: 0 });
const walSize = (): number => {
  try {
    return statSync(`${job.path}-wal`).size;
  } catch {
    return 0;
  }
};
// `data_version` changes whenever another connection commits.
const dataVersion = (): unknown => db.pragma('data_version', { simple: true });
let lastVersion = dataVersion();
let quietSince = Date.now();
const checkpoint = (): void => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    const version = dataVersion();
    const now = Date.now();
    if (version !== lastVersion) {
      lastVersion = version;
      quietSince = now;
    } else if (now - quietSince >= job.quietMs && walSize() > job.walLimitBytes) {
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
  } catch (err) {
    // Another connection's checkpoint is running: the next tick tries again.
    if (!isBusy(err)) throw err;
  }
};
const timer = setInterval(checkpoint, job.everyMs);
port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.postMessage('stopped');
  port.close();
});
