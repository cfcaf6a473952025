/**
 * Operational stores for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL server
 * named by REGULARS_TEST_PG_URL (.ci/run starts one). Without that variable PostgreSQL tests are
 * skipped with the reason, and fail under CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openOps, type OpStore } from '../ops/index.js';

export type EngineName = 'sqlite' | 'postgres';
export const ENGINES: readonly EngineName[] = ['sqlite', 'postgres'];

/** The test server's URL, or a skip reason (a failure under CI). */
export function pgTestUrl(): { url: string } | { skip: string } {
  const url = process.env['REGULARS_TEST_PG_URL'];
  if (url !== undefined && url !== '') return { url };
  const reason = 'no PostgreSQL server for tests (set REGULARS_TEST_PG_URL=postgres://user:password@127.0.0.1:5432/db; .ci/run starts one)';
  if (process.env['CI'] !== undefined) throw new Error(`${reason}; CI must not skip PostgreSQL tests`);
  return { skip: reason };
}

/** A URL whose connections use a new, empty schema of the test server. */
export async function freshPgUrl(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface OpSandbox {
  engine: EngineName;
  store: OpStore;
  /** How another process would reach the same store (a file path or a URL). */
  where: { sqlite: string } | { pg: string };
  /** Opens a second, independent connection to the same store (another "process" in-process). */
  reopen(): Promise<OpStore>;
  close(): Promise<void>;
}

/** A sandbox over a store location: connections opened by reopen() are closed with it, then `cleanup` runs. */
async function sandboxAt(engine: EngineName, where: { sqlite: string } | { pg: string }, cleanup: () => Promise<void>): Promise<OpSandbox> {
  const store = await openOps(where);
  const others: OpStore[] = [];
  return {
    engine,
    store,
    where,
    reopen: async () => {
      const s = await openOps(where);
      others.push(s);
      return s;
    },
    close: async () => {
      for (const s of others) await s.close();
      await store.close();
      await cleanup();
    },
  };
}

/** A fresh operational store of the engine, or a skip reason. */
export async function opSandbox(engine: EngineName): Promise<OpSandbox | { skip: string }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'regulars-ops-'));
    return sandboxAt(engine, { sqlite: join(dir, 'test.sqlite') }, async () => rmSync(dir, { recursive: true, force: true }));
  }
  const found = pgTestUrl();
  if ('skip' in found) return found;
  const fresh = await freshPgUrl(found.url);
  return sandboxAt(engine, { pg: fresh.url }, fresh.drop);
}
