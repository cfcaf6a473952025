/** Stored campaigns and named message channels. */
import { createHash } from 'node:crypto';
import { namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { isoTime, shownTime, text, type OpQueries, type OpRow, type OpStore } from '../ops/index.js';
import { validateCampaign, type CampaignDefinition, type FieldError } from './definition.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'campaigns.sql'));

/** A campaign that failed validation, does not exist, or cannot do what was asked in its state. */
export class CampaignError extends Error {
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
    readonly code: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(errors.length === 0 ? message : `${message}: ${errors.map((e) => `${e.path} ${e.reason}`).join('; ')}`);
    this.name = 'CampaignError';
  }
}

export interface StoredCampaign {
  readonly campaign_id: string;
  readonly name: string;
  readonly status: 'draft' | 'launched' | 'failed';
  /** Why the scheduler stopped sending it (status failed), else null. */
  readonly failure: string | null;
  readonly definition: CampaignDefinition;
  readonly created_at: string;
  readonly updated_at: string;
}

/** Validates JSON as a campaign definition or throws a CampaignError naming every path. */
export function parseCampaign(json: unknown): CampaignDefinition {
  const v = validateCampaign(json);
  if (!v.ok) throw new CampaignError('invalid campaign', v.errors);
  return v.campaign;
}

/**
 * Creates a draft campaign. Its ID derives from the key given at creation, or else from the
 * definition, never from the clock: the same campaign gets the same ID and so the same control
 * group on every machine and every run. Creating it again returns the stored draft; a key
 * already used by a different definition is refused.
 */
export async function createCampaign(ops: OpStore, clock: Clock, json: unknown): Promise<StoredCampaign> {
  const def = parseCampaign(json);
  const now = isoTime(clock.now());
  const definition = JSON.stringify(def);
  const id = `C${createHash('sha256')
    .update(def.key === undefined ? `definition|${definition}` : `key|${def.key}`)
    .digest('hex')
    .slice(0, 10)
    .toUpperCase()}`;
  await ops.transaction(async (tx) => {
    const existing = await tx.one('SELECT definition FROM campaigns WHERE campaign_id = ?', [id]);
    if (existing === undefined) {
      await tx.run("INSERT INTO campaigns (campaign_id, name, definition, status, created_at, updated_at) VALUES (?, ?, ?, 'draft', ?, ?)", [id, def.name, definition, now, now]);
      return;
    }
    if (JSON.stringify(parseCampaign(JSON.parse(text(existing, 'definition') ?? '{}'))) === definition) return;
    throw new CampaignError(`campaign key ${def.key ?? ''} is already used by campaign ${id} with a different definition`, [{ path: '$.key', reason: 'already used' }], 'conflict');
  });
  return getCampaign(ops, id);
}

/** Replaces a draft's definition (a launched campaign is frozen). */
export async function updateCampaign(ops: OpStore, clock: Clock, id: string, json: unknown): Promise<StoredCampaign> {
  const def = parseCampaign(json);
  const changed = await ops.transaction(async (tx) => {
    await getCampaign(tx, id);
    return tx.run("UPDATE campaigns SET name = ?, definition = ?, updated_at = ? WHERE campaign_id = ? AND status = 'draft'", [def.name, JSON.stringify(def), isoTime(clock.now()), id]);
  });
  if (changed === 0) throw new CampaignError(`campaign ${id} is launched; its definition is frozen`, [], 'conflict');
  return getCampaign(ops, id);
}

function storedCampaign(row: OpRow): StoredCampaign {
  const stored = text(row, 'status');
  return {
    campaign_id: text(row, 'campaign_id') ?? '',
    name: text(row, 'name') ?? '',
    status: stored === 'launched' || stored === 'failed' ? stored : 'draft',
    failure: text(row, 'failure'),
    // Stored only after validation, so it parses back to the same definition.
    definition: parseCampaign(JSON.parse(text(row, 'definition') ?? '{}')),
    created_at: shownTime(text(row, 'created_at')),
    updated_at: shownTime(text(row, 'updated_at')),
  };
}

const CAMPAIGN_COLUMNS = 'campaign_id, name, definition, status, failure, created_at, updated_at';

/** One campaign, or a not_found CampaignError. */
export async function getCampaign(ops: OpQueries, id: string): Promise<StoredCampaign> {
  const row = await ops.one(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE campaign_id = ?`, [id]);
  if (row === undefined) throw new CampaignError(`no campaign ${id}`, [], 'not_found');
  return storedCampaign(row);
}

/** The campaigns the scheduler works on: launched ones (not failed), by ID. */
export async function launchedCampaigns(ops: OpQueries): Promise<StoredCampaign[]> {
  return (await ops.all(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE status = 'launched' ORDER BY campaign_id`)).map(storedCampaign);
}

/**
 * Marks a campaign launched, which freezes its definition. Called before its first run is written
 * to the analytical store, so an edit cannot slip in between; idempotent.
 */
export async function markLaunched(ops: OpStore, clock: Clock, id: string): Promise<void> {
  await ops.transaction(async (tx) => tx.run("UPDATE campaigns SET status = 'launched', updated_at = ? WHERE campaign_id = ? AND status = 'draft'", [isoTime(clock.now()), id]));
}

/** Puts a campaign whose launch wrote nothing back to draft (its first run failed before it was stored). */
export async function unmarkLaunched(ops: OpStore, id: string): Promise<void> {
  await ops.transaction(async (tx) => tx.run("UPDATE campaigns SET status = 'draft' WHERE campaign_id = ? AND status = 'launched'", [id]));
}

/** Stops a launched campaign with the reason the scheduler could not send it. */
export async function markFailed(ops: OpStore, id: string, failure: string, at: Date): Promise<void> {
  await ops.transaction(async (tx) => tx.run("UPDATE campaigns SET status = 'failed', failure = ?, failed_at = ? WHERE campaign_id = ? AND status = 'launched'", [failure, isoTime(at), id]));
}

/** Campaign names by ID, for analytical rows that carry only the ID. */
export async function campaignNames(ops: OpQueries): Promise<Map<string, string>> {
  return new Map((await ops.all('SELECT campaign_id, name FROM campaigns')).map((r) => [text(r, 'campaign_id') ?? '', text(r, 'name') ?? '']));
}

/**
 * Every campaign, newest first (operational), with its runs and audience so far (analytical,
 * read by campaign ID when the analytical store is at hand; zero without it).
 */
export async function listCampaigns(ops: OpQueries, db: Db | null): Promise<Array<{ campaign_id: string; name: string; status: string; created_at: string; runs: number; audience: number }>> {
  const defs = await ops.all('SELECT campaign_id, name, status, created_at FROM campaigns ORDER BY created_at DESC, campaign_id');
  const totals = new Map<string, { runs: number; audience: number }>();
  if (db !== null && defs.length > 0) {
    for (const r of await db.all(SQL('run_totals'))) totals.set(str(r, 'campaign_id') ?? '', { runs: Number(r['runs'] ?? 0), audience: Number(r['audience'] ?? 0) });
  }
  return defs.map((d) => {
    const id = text(d, 'campaign_id') ?? '';
    return { campaign_id: id, name: text(d, 'name') ?? '', status: text(d, 'status') ?? '', created_at: shownTime(text(d, 'created_at')), ...(totals.get(id) ?? { runs: 0, audience: 0 }) };
  });
}

const SECRET_KEYS = /secret|password|pass|token|key/i;

/** Stores a named message channel's configuration (validated by the caller). */
export async function setMessageChannel(ops: OpStore, clock: Clock, name: string, config: unknown): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new CampaignError('a channel name is 1-32 letters, digits, _ or -');
  await ops.transaction(async (tx) =>
    tx.run('INSERT INTO message_channels (name, config, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at', [
      name,
      JSON.stringify(config),
      isoTime(clock.now()),
    ]),
  );
}

/** A channel's stored configuration (secrets included: for the scheduler only), or null. */
export async function getMessageChannel(ops: OpQueries, name: string): Promise<unknown> {
  const config = text(await ops.one('SELECT config FROM message_channels WHERE name = ?', [name]), 'config');
  return config === null ? null : JSON.parse(config);
}

/** Every channel with secrets masked, for listings. */
export async function listMessageChannels(ops: OpQueries): Promise<Array<{ name: string; config: unknown; updated_at: string }>> {
  const mask = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(mask);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.test(k) && typeof x === 'string' ? '****' : mask(x)]));
  };
  const rows = await ops.all('SELECT name, config, updated_at FROM message_channels ORDER BY name');
  return rows.map((r) => ({ name: text(r, 'name') ?? '', config: mask(JSON.parse(text(r, 'config') ?? 'null')), updated_at: shownTime(text(r, 'updated_at')) }));
}
