/** What every command shares: the database option, JSON or human output, usage errors. */
import type { Command } from 'commander';
import { DatabaseLockedError, type Db } from '../core/db/index.js';
import { config } from '../core/config.js';
import { openOps, type OpStore } from '../ops/index.js';
import { openStores, opsLocation } from '../open.js';

export interface Common {
  db?: string;
  pg?: string;
  json?: boolean;
}

export const EXIT_REFUSED = 2;
export const EXIT_LOCKED = 3;

/** The database file: --db, $REGULARS_DB or ./regulars.duckdb. */
export function dbPath(opts: Common): string {
  const path = opts.db ?? config().db;
  // A data file given as the database would be overwritten or silently ignored: refuse it.
  if (/\.(csv|tsv|txt|json|ndjson|jsonl|parquet|gz|zip|xlsx?|sqlite)$/i.test(path)) {
    throw new UsageError(`--db names the analytical database file; '${path}' looks like a data file (files to import are arguments, e.g. regulars import ${path})`);
  }
  return path;
}

/** The operational store's PostgreSQL URL: --pg, $REGULARS_PG_URL, or null (SQLite beside the database file). */
export function pgUrl(opts: Common): string | null {
  return opts.pg ?? config().pgUrl;
}

/** Adds --db, --pg and --json to a command. */
export function common(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'analytical database file (default: $REGULARS_DB or ./regulars.duckdb); the operational store is the .sqlite file beside it (shop.duckdb -> shop.sqlite)')
    .option('--pg <url>', 'keep the operational store in PostgreSQL instead (default: $REGULARS_PG_URL)')
    .option('--json', 'print one JSON document on stdout');
}

/** Prints the document as JSON with --json, else the human text. */
export function out(opts: Common, doc: unknown, human: () => string): void {
  process.stdout.write(opts.json === true ? `${JSON.stringify(doc, null, 2)}\n` : `${human()}\n`);
}

/** A mistake in how a command was called: exit code 2 with the message. */
export class UsageError extends Error {}

/**
 * Opens both stores (the analytical file, which one process may write at a time, and the
 * operational store), runs fn, and closes them whatever happens.
 */
export async function withDb<T>(opts: Common, fn: (db: Db, ops: OpStore) => Promise<T>): Promise<T> {
  const stores = await openStores(dbPath(opts), pgUrl(opts));
  try {
    return await fn(stores.db, stores.ops);
  } finally {
    await stores.close();
  }
}

/**
 * Opens only the operational store, which takes writers from several processes: commands built
 * on it (keys, settings, targets, status) work while a server runs.
 */
export async function withOps<T>(opts: Common, fn: (ops: OpStore) => Promise<T>): Promise<T> {
  const ops = await openOps(opsLocation(dbPath(opts), pgUrl(opts)));
  try {
    return await fn(ops);
  } finally {
    await ops.close();
  }
}

/**
 * For listings that add analytical figures to operational rows: both stores when the analytical
 * file can be opened, else (a server holds it) the operational store alone, with db null and a
 * note on stderr that the figures are left out.
 */
export async function withDbIfFree<T>(opts: Common, fn: (db: Db | null, ops: OpStore) => Promise<T>): Promise<T> {
  try {
    return await withDb(opts, fn);
  } catch (err) {
    if (!(err instanceof DatabaseLockedError)) throw err;
    process.stderr.write(`note: ${err.message}; showing the definitions without their analytical figures\n`);
    return withOps(opts, (ops) => fn(null, ops));
  }
}

/** JSON given inline or as a file name. */
export function jsonArg(text: string, what: string, read: (file: string) => string): unknown {
  const raw = text.trim().startsWith('{') || text.trim().startsWith('[') ? text : read(text);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`${what} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
