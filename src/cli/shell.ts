/** What every command shares: the database option, JSON or human output, usage errors. */
import { Command } from 'commander';
import type { Db } from '../core/db/index.js';
import { openRegulars } from '../open.js';

export interface Common {
  db?: string;
  json?: boolean;
}

export const EXIT_REFUSED = 2;
export const EXIT_LOCKED = 3;

/** The database file: --db, $REGULARS_DB or ./regulars.duckdb. */
export function dbPath(opts: Common): string {
  const path = opts.db ?? process.env['REGULARS_DB'] ?? 'regulars.duckdb';
  // A data file given as the database would be overwritten or silently ignored: refuse it.
  if (/\.(csv|tsv|txt|json|ndjson|jsonl|parquet|gz|zip|xlsx?)$/i.test(path)) {
    throw new UsageError(`--db names the database file; '${path}' looks like a data file (files to import are arguments, e.g. regulars import ${path})`);
  }
  return path;
}

/** Adds --db and --json to a command. */
export function common(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'database file (default: $REGULARS_DB or ./regulars.duckdb)')
    .option('--json', 'print one JSON document on stdout');
}

/** Prints the document as JSON with --json, else the human text. */
export function out(opts: Common, doc: unknown, human: () => string): void {
  process.stdout.write(opts.json === true ? `${JSON.stringify(doc, null, 2)}\n` : `${human()}\n`);
}

/** A mistake in how a command was called: exit code 2 with the message. */
export class UsageError extends Error {}

/** Opens the database, runs fn, and closes it whatever happens. */
export async function withDb<T>(opts: Common, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openRegulars(dbPath(opts));
  try {
    return await fn(db);
  } finally {
    db.close();
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
