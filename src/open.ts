/** Opens a Regulars database ready for work: schema migrated, normalization macros installed. */
import { openDatabase, type Db } from './core/db/index.js';
import { installNormalization } from './identity/index.js';
import { openOps, opsPathFor, recordHandoff, type OpStore, type OpsLocation } from './ops/index.js';
import { adoptSettings, mirrorSettings } from './core/settings/operational.js';
import { adoptKeys } from './api/keys.js';

/** Opens the analytical store (DuckDB) alone. */
export async function openRegulars(path: string): Promise<Db> {
  const db = await openDatabase(path);
  try {
    await installNormalization(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Where the operational store of a DuckDB file is: PostgreSQL when a URL is given, else the SQLite file beside it. */
export function opsLocation(duckdbPath: string, pgUrl: string | null): OpsLocation {
  return pgUrl !== null ? { pg: pgUrl } : { sqlite: opsPathFor(duckdbPath) };
}

/** Both stores of one Regulars installation. */
export interface Stores {
  db: Db;
  ops: OpStore;
  close(): Promise<void>;
}

/**
 * Opens both stores, moves what a database made by an earlier version kept in the analytical file
 * across to the operational store (once), and mirrors the settings into the analytical store.
 */
export async function openStores(duckdbPath: string, pgUrl: string | null): Promise<Stores> {
  const ops = await openOps(opsLocation(duckdbPath, pgUrl));
  let db: Db;
  try {
    db = await openRegulars(duckdbPath);
  } catch (err) {
    await ops.close();
    throw err;
  }
  try {
    await upgradeInPlace(db, ops);
    await mirrorSettings(ops, db);
  } catch (err) {
    db.close();
    await ops.close();
    throw err;
  }
  return {
    db,
    ops,
    close: async () => {
      db.close();
      await ops.close();
    },
  };
}

/** Moves the operational tables of an earlier version's analytical file across, once. */
export async function upgradeInPlace(db: Db, ops: OpStore): Promise<{ keys: number; settings: number }> {
  const settings = await adoptSettings(db, ops);
  let keys = 0;
  const hasKeys = await db.one("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'api_keys' AND schema_name = 'main'");
  if (Number(hasKeys?.['n'] ?? 0) > 0) {
    const rows = await db.all(
      `SELECT key_id, name, scope, hash, strftime(created_at, '%Y-%m-%dT%H:%M:%S.000Z') AS created_at,
              strftime(last_used_at, '%Y-%m-%dT%H:%M:%S.000Z') AS last_used_at, strftime(revoked_at, '%Y-%m-%dT%H:%M:%S.000Z') AS revoked_at
       FROM api_keys`,
    );
    keys = await adoptKeys(rows, ops);
    await db.run('DROP TABLE api_keys');
  }
  if (keys > 0 || settings > 0) await recordHandoff(ops, 'upgrade: analytical -> operational', new Date(), 'ok', { keys, settings });
  return { keys, settings };
}
