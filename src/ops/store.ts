/**
 * The operational store's port: what is written one record at a time (keys, settings, the
 * ingestion inbox, the audit log, loyalty) behind one small interface with an adapter per engine
 * (SQLite embedded, PostgreSQL shared). SQL is written once with `?` placeholders in the subset
 * both engines share; where they differ, the adapter's `dialect` names the difference.
 */

/** A value bound to a `?` placeholder. Integers that may exceed 2^53 are passed as bigint. */
export type OpParam = string | number | bigint | null;
/** A value read back: every integer column arrives as bigint on both engines, text as string. */
export type OpValue = string | number | bigint | null;
export type OpRow = Record<string, OpValue>;

/** Statements on the store or inside one transaction. */
export interface OpQueries {
  /** All rows of a query. */
  all(sql: string, params?: readonly OpParam[]): Promise<OpRow[]>;
  /** The first row of a query, or undefined. */
  one(sql: string, params?: readonly OpParam[]): Promise<OpRow | undefined>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly OpParam[]): Promise<number>;
}

/** What differs between the engines in the SQL we write. */
export interface Dialect {
  /** Appended to a SELECT inside a transaction to lock its rows until commit (empty on SQLite, whose write transactions are exclusive). */
  readonly forUpdate: string;
}

export type Engine = 'sqlite' | 'postgres';

/** One operational store: SQLite file or PostgreSQL database. */
export interface OpStore extends OpQueries {
  readonly engine: Engine;
  /** Where it is, with any password masked. */
  readonly location: string;
  readonly dialect: Dialect;
  /**
   * Runs fn in one write transaction: all of it or none of it. On SQLite the write lock is taken
   * at the start (BEGIN IMMEDIATE), so transactions of several processes queue instead of failing;
   * on PostgreSQL a serialization failure or deadlock retries fn (so fn must only touch the store).
   */
  transaction<T>(fn: (tx: OpQueries) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A bigint from an integer column (bigint, or a number or digit string from an expression). */
export function big(row: OpRow | undefined, key: string): bigint {
  const v = row?.[key];
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new Error(`column ${key} is not an integer: ${String(v)}`);
}

/** A bigint column as a number, refusing values a number cannot hold exactly. */
export function int(row: OpRow | undefined, key: string): number {
  const b = big(row, key);
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`column ${key} is beyond 2^53: ${b}`);
  return Number(b);
}

/** A nullable integer column as a number. */
export function intOrNull(row: OpRow | undefined, key: string): number | null {
  const v = row?.[key];
  return v === null || v === undefined ? null : int(row, key);
}

/** A text column, or null. */
export function text(row: OpRow | undefined, key: string): string | null {
  const v = row?.[key];
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/** Timestamps are stored as fixed-width UTC ISO text on both engines (ordered as text). */
export function isoTime(d: Date): string {
  return d.toISOString();
}

/** An operational time (ISO-8601, UTC) as listings show times: `YYYY-MM-DD HH:MM:SS`, '' for none. */
export function shownTime(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 19).replace('T', ' ');
}
