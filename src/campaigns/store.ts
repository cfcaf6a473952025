/** Stored campaigns and named message channels. */
import { createHash } from 'node:crypto';
import { namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
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
export async function createCampaign(db: Db, clock: Clock, json: unknown): Promise<StoredCampaign> {
  const def = parseCampaign(json);
  const now = sqlTimestamp(clock.now());
  const text = JSON.stringify(def);
  const id = `C${createHash('sha256')
    .update(def.key === undefined ? `definition|${text}` : `key|${def.key}`)
    .digest('hex')
    .slice(0, 10)
    .toUpperCase()}`;
  const existing = await db.one(SQL('get_campaign'), [id]);
  if (existing !== undefined) {
    const same = JSON.stringify(parseCampaign(JSON.parse(str(existing, 'definition') ?? '{}'))) === text;
    if (same) return getCampaign(db, id);
    throw new CampaignError(`campaign key ${def.key ?? ''} is already used by campaign ${id} with a different definition`, [{ path: '$.key', reason: 'already used' }], 'conflict');
  }
  await db.run(SQL('insert_campaign'), [id, def.name, text, now]);
  return getCampaign(db, id);
}

/** Replaces a draft's definition (a launched campaign is frozen). */
export async function updateCampaign(db: Db, clock: Clock, id: string, json: unknown): Promise<StoredCampaign> {
  const def = parseCampaign(json);
  const current = await getCampaign(db, id);
  if (current.status !== 'draft') throw new CampaignError(`campaign ${id} is launched; its definition is frozen`, [], 'conflict');
  await db.run(SQL('update_campaign'), [id, def.name, JSON.stringify(def), sqlTimestamp(clock.now())]);
  return getCampaign(db, id);
}

/** One campaign, or a not_found CampaignError. */
export async function getCampaign(db: Db, id: string): Promise<StoredCampaign> {
  const row = await db.one(SQL('get_campaign'), [id]);
  if (row === undefined) throw new CampaignError(`no campaign ${id}`, [], 'not_found');
  const stored = str(row, 'status');
  const status = stored === 'launched' || stored === 'failed' ? stored : 'draft';
  return {
    campaign_id: id,
    name: str(row, 'name') ?? '',
    status,
    failure: str(row, 'failure'),
    // Stored only after validation, so it parses back to the same definition.
    definition: parseCampaign(JSON.parse(str(row, 'definition') ?? '{}')),
    created_at: str(row, 'created_at') ?? '',
    updated_at: str(row, 'updated_at') ?? '',
  };
}

/** Every campaign, newest first, with its runs and audience so far. */
export async function listCampaigns(db: Db): Promise<Array<{ campaign_id: string; name: string; status: string; created_at: string; runs: number; audience: number }>> {
  const rows = await db.all(SQL('list_campaigns'));
  return rows.map((r) => ({
    campaign_id: str(r, 'campaign_id') ?? '',
    name: str(r, 'name') ?? '',
    status: str(r, 'status') ?? '',
    created_at: str(r, 'created_at') ?? '',
    runs: Number(r['runs'] ?? 0),
    audience: Number(r['audience'] ?? 0),
  }));
}

const SECRET_KEYS = /secret|password|pass|token|key/i;

/** Stores a named message channel's configuration (validated by the caller). */
export async function setMessageChannel(db: Db, clock: Clock, name: string, config: unknown): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new CampaignError('a channel name is 1-32 letters, digits, _ or -');
  await db.run(
    `INSERT INTO message_channels VALUES ($1, $2, $3::TIMESTAMP)
     ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
    [name, JSON.stringify(config), sqlTimestamp(clock.now())],
  );
}

/** A channel's stored configuration (secrets included: for the scheduler only), or null. */
export async function getMessageChannel(db: Db, name: string): Promise<unknown> {
  const text = str(await db.one('SELECT config FROM message_channels WHERE name = $1', [name]), 'config');
  return text === null ? null : JSON.parse(text);
}

/** Every channel with secrets masked, for listings. */
export async function listMessageChannels(db: Db): Promise<Array<{ name: string; config: unknown; updated_at: string }>> {
  const mask = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(mask);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.test(k) && typeof x === 'string' ? '****' : mask(x)]));
  };
  const rows = await db.all('SELECT name, config, updated_at::VARCHAR AS updated_at FROM message_channels ORDER BY name');
  return rows.map((r) => ({ name: str(r, 'name') ?? '', config: mask(JSON.parse(str(r, 'config') ?? 'null')), updated_at: str(r, 'updated_at') ?? '' }));
}
