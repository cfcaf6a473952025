/**
 * The background checkpointer of a long-running process's SQLite connection (see `openSqlite`'s
 * `checkpoints: 'background'`). It runs in a worker thread with its own connection and copies the
 * write-ahead log back into the database file every `everyMs` milliseconds (PASSIVE: it never
 * waits for, nor blocks, the writers and readers of other connections). The fsyncs a checkpoint
 * makes then wait here, not on the event loop that answers requests: on a disk kept busy by an
 * import, one fsync can take tens of milliseconds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Job {
  path: string;
  everyMs: number;
}

const isJob = (v: unknown): v is Job => typeof v === 'object' && v !== null && 'path' in v && typeof v.path === 'string' && 'everyMs' in v && typeof v.everyMs === 'number';

const isBusy = (e: unknown): boolean => typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY');

if (!isJob(workerData) || parentPort === null) throw new Error('checkpointer: started without its job');
const port = parentPort;
const db = new Database(workerData.path, { timeout: 0 });
const checkpoint = (): void => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Another connection's checkpoint is running: the next tick tries again.
    if (!isBusy(err)) throw err;
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.postMessage('stopped');
  port.close();
});
