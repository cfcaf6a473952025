/**
 * The shared operational store: a PostgreSQL database through a pool of connections (pg), for
 * several API processes on several machines. Integers come back as bigint, as on SQLite.
 */
import pg from 'pg';
import { maskSecret } from '../core/config.js';
import type { Dialect, OpParam, OpQueries, OpRow, OpStore } from './store.js';

const toBig = (v: string): bigint => BigInt(v);
// int8, int4, int2 as bigint; NUMERIC stays text (exact).
pg.types.setTypeParser(20, toBig);
pg.types.setTypeParser(23, toBig);
pg.types.setTypeParser(21, toBig);

/** `?` placeholders to `$1, $2, ...` (our SQL never has a `?` inside a literal). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL with its password replaced by ***. */
export const maskUrl = maskSecret;

const RETRY_CODES = new Set(['40001', '40P01']);
const codeOf = (e: unknown): string => (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '');

/**
 * Each distinct data statement gets a name, so every connection parses and plans it once and
 * then only binds and runs it (a till's write repeats the same dozen statements). Run unnamed:
 * utility statements (DDL cannot be prepared); statements of many parameters (multi-row VALUES
 * and IN lists, whose text changes with their length); `SELECT *` (a prepared one fails once a
 * migration adds a column); and any statement past the first MAX_NAMES.
 */
const names = new Map<string, string>();
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
const STAR = /\bSELECT\s+(\w+\.)?\*/i;
const MAX_PARAMS = 32;
const MAX_NAMES = 1000;
function statement(sql: string, values: unknown[]): pg.QueryConfig {
  const text = numbered(sql);
  if (!PREPARABLE.test(text) || STAR.test(text) || values.length > MAX_PARAMS || (names.size >= MAX_NAMES && !names.has(text))) return { text, values };
  let name = names.get(text);
  if (name === undefined) {
    name = `regulars_${names.size + 1}`;
    names.set(text, name);
  }
  return { name, text, values };
}

function queries(client: pg.Pool | pg.PoolClient): OpQueries {
  const q = async (sql: string, params: readonly OpParam[]): Promise<pg.QueryResult> =>
    client.query(
      statement(
        sql,
        params.map((p) => (typeof p === 'bigint' ? p.toString() : p)),
      ),
    );
  return {
    all: async (sql, params = []) => {
      const r = await q(sql, params);
      const rows: OpRow[] = r.rows;
      return rows;
    },
    one: async (sql, params = []) => {
      const r = await q(sql, params);
      const rows: OpRow[] = r.rows;
      return rows[0];
    },
    run: async (sql, params = []) => (await q(sql, params)).rowCount ?? 0,
  };
}

/** Connects a pool to the database at url (postgres://user:password@host:port/db). */
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<OpStore> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  pool.on('error', () => undefined); // an idle client's error surfaces on its next use
  const probe = await pool.connect();
  probe.release();
  const dialect: Dialect = { forUpdate: ' FOR UPDATE' };
  const base = queries(pool);
  return {
    engine: 'postgres',
    location: maskUrl(url),
    dialect,
    ...base,
    transaction: async <T>(fn: (tx: OpQueries) => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(queries(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (!RETRY_CODES.has(codeOf(err)) || attempt >= 10) throw err;
        } finally {
          client.release();
        }
      }
    },
    exec: async (sql) => void (await pool.query(sql)),
    close: () => pool.end(),
  };
}
