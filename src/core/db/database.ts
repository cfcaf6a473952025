import { type DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeLockHolder } from './lock.js';

/** A value that can be bound to a SQL parameter. */
export type SqlParam = string | number | bigint | boolean | null;
/** A row as JSON-safe values: DECIMAL and BIGINT arrive as strings, never floats. */
export type Row = Record<string, string | number | boolean | null | object>;

/** Raised when another process holds the database file for writing. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holder: string,
  ) {
    super(`The database ${path} is in use by another process (${holder}). DuckDB lets one process write a file at a time: stop that process, or use another --db file.`);
    this.name = 'DatabaseLockedError';
  }
}

/** Raised when an engine setting from the environment is not usable. */
export class EngineSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineSettingError';
  }
}

/**
 * Engine settings from the environment. REGULARS_MEMORY_LIMIT (for example 12GB) caps DuckDB's
 * buffer memory (default: 80% of RAM), above which it spills to a temporary folder next to the
 * database. Some memory is used outside that cap, so on a machine shared with other work, or for
 * imports of files with tens of millions of rows, set it well below the machine's RAM.
 */
export function engineOptions(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const limit = env['REGULARS_MEMORY_LIMIT']?.trim();
  if (limit === undefined || limit === '') return {};
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(limit)) {
    throw new EngineSettingError(`REGULARS_MEMORY_LIMIT must be an amount like 12GB or 800MB, got '${limit}'`);
  }
  return { memory_limit: limit };
}

/**
 * The engine keeps the memory of the blocks it has used, up to its memory limit, instead of
 * giving it back to the system after each statement and asking again for the next: a refresh
 * allocates and frees gigabytes statement after statement, and the system's page faults cost
 * about 15% of a 1M-member refresh (docs/benchmarks.md). The process's resident memory then stays
 * at the peak of what the engine used (never above the limit) until the database is closed.
 */
async function keepBlockMemory(conn: DuckDBConnection): Promise<void> {
  const limit = (await conn.runAndReadAll("SELECT current_setting('memory_limit') AS v")).getRowObjects()[0]?.['v'];
  if (typeof limit === 'string' && limit !== '') await conn.run(`SET block_allocator_memory = '${limit.replace(/'/g, '')}'`);
}

/** Rows per data chunk handed to an appender (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** One open DuckDB database with one connection: the only door to SQL in Regulars. */
export class Db {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly ownsInstance: boolean = true,
  ) {}

  /**
   * Another connection to the same open database (for a worker that must not wait behind the
   * API's queue, such as the scheduler). DuckDB runs their transactions side by side; closing it
   * closes only that connection.
   */
  async connect(): Promise<Db> {
    const conn = await this.instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return new Db(this.path, this.instance, conn, false);
  }

  /** Stops the statement running on this connection (it fails with an interruption error). */
  interrupt(): void {
    this.conn.interrupt();
  }

  /** Opens (creating if needed) a database file, or ':memory:'. */
  static async open(path: string): Promise<Db> {
    try {
      const instance = await DuckDBInstance.create(path, engineOptions());
      const conn = await instance.connect();
      // Timestamps are shop-local wall-clock values; nothing may depend on this machine's zone.
      await conn.run("SET TimeZone = 'UTC'");
      await keepBlockMemory(conn);
      return new Db(path, instance, conn);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
      if (lock) throw new DatabaseLockedError(path, describeLockHolder(Number(lock[2]), lock[1] ?? 'a process'));
      throw err;
    }
  }

  /** Runs a statement with positional parameters ($1, $2, ...). */
  async run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    const t = traceStart();
    await this.conn.run(sql, toValues(params));
    traceSlow(sql, t);
  }

  /** Runs a query and returns its rows with exact values (DECIMAL and BIGINT as strings). */
  async all(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const t = traceStart();
    const reader = await this.conn.runAndReadAll(sql, toValues(params));
    traceSlow(sql, t);
    return reader.getRowObjectsJson() as Row[];
  }

  /** Runs a query expected to return at most one row. */
  async one(sql: string, params: readonly SqlParam[] = []): Promise<Row | undefined> {
    const rows = await this.all(sql, params);
    return rows[0];
  }

  /**
   * Streams a query whose columns are all INTEGER, chunk by chunk, as plain number arrays:
   * the fast path for graph work over millions of rows.
   */
  async forEachIntChunk(sql: string, params: readonly SqlParam[], onChunk: (columns: number[][]) => void): Promise<void> {
    const t = traceStart();
    const result = await this.conn.run(sql, toValues(params));
    traceSlow(sql, t);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const cols: number[][] = [];
      for (let c = 0; c < chunk.columnCount; c++) {
        // Straight from the vector: no array of DuckDB values in between.
        const vector = chunk.getColumnVector(c);
        const n = vector.itemCount;
        const col = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          const v = vector.getItem(i);
          col[i] = typeof v === 'number' ? v : Number(v);
        }
        cols.push(col);
      }
      onChunk(cols);
    }
  }

  /**
   * Reads a query whose columns are all INTEGER (no NULLs) into one Int32Array per column, copied
   * from the engine's vectors without a JavaScript value per cell.
   */
  async readInt32Columns(sql: string, params: readonly SqlParam[] = []): Promise<Int32Array[]> {
    const t = traceStart();
    const result = await this.conn.run(sql, toValues(params));
    traceSlow(sql, t);
    let cols: Int32Array[] = Array.from({ length: result.columnCount }, () => new Int32Array(1024));
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const rows = chunk.rowCount;
      if (n + rows > (cols[0]?.length ?? 0)) {
        cols = cols.map((c) => {
          const grown = new Int32Array(Math.max(2 * c.length, n + rows));
          grown.set(c.subarray(0, n));
          return grown;
        });
      }
      for (let c = 0; c < chunk.columnCount; c++) {
        const vector = chunk.getColumnVector(c);
        const col = cols[c] ?? new Int32Array(0);
        for (let i = 0; i < rows; i++) {
          const v = vector.getItem(i);
          if (typeof v !== 'number') throw new Error(`readInt32Columns: column ${c} holds ${v === null ? 'NULL' : typeof v}, not INTEGER`);
          col[n + i] = v;
        }
      }
      n += rows;
    }
    return cols.map((c) => c.subarray(0, n));
  }

  /** Appends rows of integers to an existing table (column order as in the table; INTEGER or DOUBLE columns). */
  async appendInts(table: string, columns: ReadonlyArray<ArrayLike<number>>): Promise<void> {
    await this.appendNumbers(table, columns, false);
  }

  /** Appends rows of doubles to an existing table (column order as in the table; NaN as NULL). */
  async appendDoubles(table: string, columns: ReadonlyArray<ArrayLike<number>>): Promise<void> {
    await this.appendNumbers(table, columns, true);
  }

  /**
   * Appends numeric columns a vector at a time: each block of rows is written into a data chunk
   * of the table's own column types and handed to the appender whole, which costs far less than
   * one call per value.
   */
  private async appendNumbers(table: string, columns: ReadonlyArray<ArrayLike<number>>, nanAsNull: boolean): Promise<void> {
    const appender = await this.conn.createAppender(table);
    try {
      if (columns.length !== appender.columnCount) throw new Error(`${table} has ${appender.columnCount} columns, ${columns.length} given`);
      const types = columns.map((_, c) => appender.columnType(c));
      const odd = types.find((t) => t.typeId !== DuckDBTypeId.INTEGER && t.typeId !== DuckDBTypeId.DOUBLE);
      if (odd !== undefined) throw new Error(`${table}: numeric appends need INTEGER or DOUBLE columns, found ${odd.toString()}`);
      const n = columns[0]?.length ?? 0;
      for (let from = 0; from < n; from += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - from);
        const chunk = DuckDBDataChunk.create(types, rows);
        columns.forEach((col, c) => {
          const vector = chunk.getColumnVector(c);
          for (let i = 0; i < rows; i++) {
            const v = col[from + i] ?? Number.NaN;
            vector.setItem(i, nanAsNull && Number.isNaN(v) ? null : v);
          }
          vector.flush();
        });
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Runs fn inside a transaction: all of its writes commit together, or none do. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // Re-entrant: a transaction inside another joins it (one commit, or one rollback, for all).
    if (this.depth > 0) {
      this.depth++;
      try {
        return await fn();
      } finally {
        this.depth--;
      }
    }
    await this.conn.run('BEGIN TRANSACTION');
    this.depth = 1;
    try {
      const result = await fn();
      this.depth = 0;
      const t = traceStart();
      await this.conn.run('COMMIT');
      traceSlow('COMMIT', t);
      return result;
    } catch (err) {
      this.depth = 0;
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  private depth = 0;

  /** Closes the connection and releases the file lock. */
  close(): void {
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

function toValues(params: readonly SqlParam[]): DuckDBValue[] {
  return params.map((p) => (typeof p === 'number' && Number.isInteger(p) ? BigInt(p) : p));
}

/** Reads a .sql file that sits beside the calling module (pass import.meta.url). */
export function sqlFile(moduleUrl: string, name: string): string {
  return readFileSync(join(dirname(fileURLToPath(moduleUrl)), name), 'utf8');
}

/** Reads a column as a string ('' when NULL is not allowed is the caller's choice). */
export function str(row: Row | undefined, col: string): string | null {
  const v = row?.[col];
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Reads an integer column (BIGINT arrives as a string) as a safe JS number. */
export function int(row: Row | undefined, col: string): number {
  const v = row?.[col];
  if (v === null || v === undefined) return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`column ${col}: ${String(v)} is not a safe integer`);
  return n;
}

/**
 * REGULARS_TRACE_SQL=N prints every statement slower than N ms to stderr (for diagnosing speed),
 * with the process's CPU time over the statement: about twice the wall time when the engine keeps
 * two cores busy, about the same when the statement ran on one.
 */
const TRACE_MS = Number(process.env['REGULARS_TRACE_SQL'] ?? 'NaN');
interface TraceMark {
  readonly at: number;
  readonly cpu: NodeJS.CpuUsage | null;
}
function traceStart(): TraceMark {
  return { at: performance.now(), cpu: Number.isFinite(TRACE_MS) ? process.cpuUsage() : null };
}
function traceSlow(sql: string, started: TraceMark): void {
  if (started.cpu === null) return;
  const ms = performance.now() - started.at;
  if (ms < TRACE_MS) return;
  const used = process.cpuUsage(started.cpu);
  const cpu = (used.user + used.system) / 1000;
  process.stderr.write(`[sql ${ms.toFixed(0)} ms cpu ${cpu.toFixed(0)} ms @${(performance.now() / 1000).toFixed(1)}] ${sql.replace(/\s+/g, ' ').slice(0, 300)}\n`);
}
