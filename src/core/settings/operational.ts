/**
 * Settings live in the operational store, so that `regulars settings set` works while a server
 * runs and every API process sees the same values. The analytical store keeps a mirror (its
 * `settings` table), refreshed from the operational store when a database is opened and before
 * each analytical job of a server, because the report SQL and getSetting read it there.
 */
import { audit, isoTime, text, type OpStore } from '../../ops/index.js';
import type { Db } from '../db/index.js';
import type { Clock } from '../clock.js';
import { sqlTimestamp } from '../clock.js';
import { isSettingKey, SETTINGS, type SettingKey } from './index.js';

/** The stored values (JSON-decoded) of the operational store, by key. */
export async function readOpSettings(ops: OpStore): Promise<Map<SettingKey, unknown>> {
  const out = new Map<SettingKey, unknown>();
  for (const r of await ops.all('SELECT key, value FROM settings')) {
    const key = text(r, 'key') ?? '';
    if (isSettingKey(key)) out.set(key, JSON.parse(text(r, 'value') ?? 'null'));
  }
  return out;
}

/** Every setting with its effective value (stored, else default), from the operational store. */
export async function listOpSettings(ops: OpStore): Promise<Array<{ key: SettingKey; value: unknown; help: string }>> {
  const stored = await readOpSettings(ops);
  const out: Array<{ key: SettingKey; value: unknown; help: string }> = [];
  for (const key of Object.keys(SETTINGS)) {
    if (!isSettingKey(key)) continue;
    out.push({ key, value: stored.has(key) ? stored.get(key) : SETTINGS[key].default, help: SETTINGS[key].help });
  }
  return out;
}

/**
 * Stores a validated setting in the operational store with an audit entry, and in the analytical
 * mirror when this process has the analytical store open.
 */
export async function saveSetting(ops: OpStore, clock: Clock, key: SettingKey, value: unknown, actor: string, db?: Db): Promise<void> {
  const now = clock.now();
  await ops.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), isoTime(now)],
    );
    await audit(tx, now, actor, 'settings.set', key, { value });
  });
  if (db !== undefined) {
    await db.run(
      `INSERT INTO settings VALUES ($1, $2, $3::TIMESTAMP)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), sqlTimestamp(now)],
    );
  }
}

/** What changes when any setting changes (count and latest change), to skip needless mirroring. */
export async function settingsSignature(ops: OpStore): Promise<string> {
  const r = await ops.one('SELECT count(*) AS n, max(updated_at) AS at FROM settings');
  return `${String(r?.['n'] ?? 0)}|${text(r, 'at') ?? ''}`;
}

/** Copies every operational setting into the analytical mirror (replacing it). */
export async function mirrorSettings(ops: OpStore, db: Db): Promise<void> {
  const rows = await ops.all('SELECT key, value, updated_at FROM settings ORDER BY key');
  await db.transaction(async () => {
    await db.run('DELETE FROM settings');
    for (const r of rows) {
      await db.run('INSERT INTO settings VALUES ($1, $2, $3::TIMESTAMP)', [text(r, 'key') ?? '', text(r, 'value') ?? 'null', sqlTimestamp(new Date(text(r, 'updated_at') ?? 0))]);
    }
  });
}

/**
 * Upgrade in place: a database made before the operational store kept its settings in the
 * analytical file. When the operational store has none yet, they are copied across once.
 */
export async function adoptSettings(db: Db, ops: OpStore): Promise<number> {
  const have = await ops.one('SELECT count(*) AS n FROM settings');
  if (Number(have?.['n'] ?? 0) > 0) return 0;
  const rows = await db.all("SELECT key, value, strftime(updated_at, '%Y-%m-%dT%H:%M:%S.000Z') AS updated_at FROM settings ORDER BY key");
  if (rows.length === 0) return 0;
  await ops.transaction(async (tx) => {
    for (const r of rows) {
      await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', [String(r['key']), String(r['value']), String(r['updated_at'])]);
    }
  });
  return rows.length;
}
