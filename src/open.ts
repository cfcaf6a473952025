/** Opens a Regulars database ready for work: schema migrated, normalization macros installed. */
import { openDatabase, type Db, type Row } from './core/db/index.js';
import { installNormalization } from './identity/index.js';
import { openOps, opsPathFor, recordHandoff, type Checkpoints, type OpParam, type OpStore, type OpsLocation } from './ops/index.js';
import { adoptSettings, mirrorSettings } from './core/settings/operational.js';
import { adoptKeys } from './api/keys.js';
import { dropOrphanSnapshots } from './segments/index.js';

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
export function opsLocation(duckdbPath: string, pgUrl: string | null, checkpoints: Checkpoints = 'inline'): OpsLocation {
  return pgUrl !== null ? { pg: pgUrl } : { sqlite: opsPathFor(duckdbPath), checkpoints };
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
export async function openStores(duckdbPath: string, pgUrl: string | null, checkpoints: Checkpoints = 'inline'): Promise<Stores> {
  const ops = await openOps(opsLocation(duckdbPath, pgUrl, checkpoints));
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
    await dropOrphanSnapshots(ops, db);
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

/** Whether the analytical file still has a table an earlier version kept there. */
async function hasTable(db: Db, table: string): Promise<boolean> {
  const r = await db.one("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = $1 AND schema_name = 'main'", [table]);
  return Number(r?.['n'] ?? 0) > 0;
}

const ISO = (col: string): string => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.000Z') AS ${col}`;

/**
 * Definitions an earlier version kept in the analytical file (saved segments, campaigns with
 * their status, message channels), moved to the operational store in one transaction and then
 * dropped from the analytical file. Rows already in the operational store are kept as they are.
 */
const MOVED_DEFINITIONS: ReadonlyArray<{ table: string; select: string; insert: string; values: (r: Row) => OpParam[] }> = [
  {
    table: 'segments',
    select: `SELECT segment_id, name, rule, ${ISO('created_at')}, ${ISO('updated_at')} FROM segments ORDER BY created_at, segment_id`,
    insert: 'INSERT INTO segments (segment_id, name, name_key, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    values: (r) => [String(r['segment_id']), String(r['name']), String(r['name']).trim().toLowerCase(), String(r['rule']), String(r['created_at']), String(r['updated_at'])],
  },
  {
    table: 'campaigns',
    select: `SELECT campaign_id, name, definition, status, failure, ${ISO('failed_at')}, ${ISO('created_at')}, ${ISO('updated_at')} FROM campaigns ORDER BY campaign_id`,
    insert: 'INSERT INTO campaigns (campaign_id, name, definition, status, failure, failed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    values: (r) => ['campaign_id', 'name', 'definition', 'status', 'failure', 'failed_at', 'created_at', 'updated_at'].map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))),
  },
  {
    table: 'message_channels',
    select: `SELECT name, config, ${ISO('updated_at')} FROM message_channels ORDER BY name`,
    insert: 'INSERT INTO message_channels (name, config, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    values: (r) => [String(r['name']), String(r['config']), String(r['updated_at'])],
  },
];

async function adoptDefinitions(db: Db, ops: OpStore): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  const present: Array<(typeof MOVED_DEFINITIONS)[number]> = [];
  for (const m of MOVED_DEFINITIONS) if (await hasTable(db, m.table)) present.push(m);
  if (present.length === 0) return moved;
  const rows = new Map<string, Row[]>();
  for (const m of present) rows.set(m.table, await db.all(m.select));
  await ops.transaction(async (tx) => {
    for (const m of present) {
      for (const r of rows.get(m.table) ?? []) await tx.run(m.insert, m.values(r));
    }
  });
  for (const m of present) {
    await db.run(`DROP TABLE ${m.table}`);
    const n = rows.get(m.table)?.length ?? 0;
    if (n > 0) moved[m.table] = n;
  }
  return moved;
}

/** Moves the operational tables of an earlier version's analytical file across, once. */
export async function upgradeInPlace(db: Db, ops: OpStore): Promise<{ keys: number; settings: number; definitions: Record<string, number> }> {
  const settings = await adoptSettings(db, ops);
  const definitions = await adoptDefinitions(db, ops);
  let keys = 0;
  if (await hasTable(db, 'api_keys')) {
    const rows = await db.all(
      `SELECT key_id, name, scope, hash, strftime(created_at, '%Y-%m-%dT%H:%M:%S.000Z') AS created_at,
              strftime(last_used_at, '%Y-%m-%dT%H:%M:%S.000Z') AS last_used_at, strftime(revoked_at, '%Y-%m-%dT%H:%M:%S.000Z') AS revoked_at
       FROM api_keys`,
    );
    keys = await adoptKeys(rows, ops);
    await db.run('DROP TABLE api_keys');
  }
  if (keys > 0 || settings > 0 || Object.keys(definitions).length > 0) await recordHandoff(ops, 'upgrade: analytical -> operational', new Date(), 'ok', { keys, settings, ...definitions });
  return { keys, settings, definitions };
}
