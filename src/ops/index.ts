/**
 * The operational store (docs/ARCHITECTURE.md, "Two stores"): SQLite beside the DuckDB file by
 * default, PostgreSQL when a URL is configured. Domains that write one record at a time (keys,
 * settings, the inbox, the audit log, loyalty) take an OpStore.
 */
import { basename, dirname, join } from 'node:path';
import { migrateOps } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite, type Checkpoints } from './sqlite.js';
import type { OpStore } from './store.js';

export { big, int, intOrNull, text, isoTime, shownTime, type OpStore, type OpQueries, type OpRow, type OpParam, type OpValue, type Engine, type Dialect } from './store.js';
export { migrateOps } from './migrate.js';
export { maskUrl } from './postgres.js';
export { audit, readAudit, type AuditEntry } from './audit.js';
export { recordHandoff, listHandoffs, handoffDetail, type Handoff } from './handoffs.js';

/** The SQLite file that goes with a DuckDB file: `shop.duckdb` -> `shop.sqlite`. */
export function opsPathFor(duckdbPath: string): string {
  const name = basename(duckdbPath);
  const stem = name.toLowerCase().endsWith('.duckdb') ? name.slice(0, -'.duckdb'.length) : name;
  return join(dirname(duckdbPath), `${stem}.sqlite`);
}

/**
 * Where the operational store is: a PostgreSQL URL, or the SQLite file beside the DuckDB file
 * (servers checkpoint it in the background: `Checkpoints`).
 */
export type OpsLocation = { pg: string } | { sqlite: string; checkpoints?: Checkpoints };
export type { Checkpoints } from './sqlite.js';

/** Opens and migrates the operational store. */
export async function openOps(where: OpsLocation): Promise<OpStore> {
  const store = 'pg' in where ? await openPostgres(where.pg) : openSqlite(where.sqlite, where.checkpoints);
  try {
    await migrateOps(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
