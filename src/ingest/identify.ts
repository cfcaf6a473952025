import type { Db } from '../core/db/index.js';
import { CALLING_CODES } from '../core/settings/index.js';
import { ENTITIES, type Entity } from './fields.js';

const CODE_MAP = `MAP {${Object.entries(CALLING_CODES)
  .map(([iso, code]) => `'${iso}': '${code}'`)
  .join(', ')}}`;

/** The calling code of a country column (US, +1, 1), or NULL: SQL over constant text of our own. */
export function callingCodeSql(country: string): string {
  return `coalesce(${CODE_MAP}[upper(trim(${country}))], NULLIF(regexp_extract(trim(${country}), '^\\+?([0-9]{1,3})$', 1), ''))`;
}

/**
 * A phone as norm_phone reads it: Excel's text guard (a leading apostrophe, as in Shopify's
 * '+46 ...) removed; the row's country, else the default ($1), for numbers without a country code.
 */
export function phoneSql(phone: string, country: string | null): string {
  const cc = country === null ? '$1' : `coalesce(${callingCodeSql(country)}, $1)`;
  return `norm_phone(regexp_replace(${phone}, '^\\s*''', ''), ${cc})`;
}

interface IdSource {
  readonly field: string;
  readonly kind: string;
  readonly scoped: boolean;
  readonly norm: 'account' | 'phone' | 'email';
}

const MEMBER_IDS: readonly IdSource[] = [
  { field: 'external_id', kind: 'account', scoped: true, norm: 'account' },
  { field: 'wechat_openid', kind: 'wechat_openid', scoped: true, norm: 'account' },
  { field: 'pos_card', kind: 'pos_card', scoped: true, norm: 'account' },
  { field: 'phone', kind: 'phone', scoped: false, norm: 'phone' },
  { field: 'email', kind: 'email', scoped: false, norm: 'email' },
  { field: 'wechat_unionid', kind: 'wechat_unionid', scoped: false, norm: 'account' },
];
const BUYER_IDS: readonly IdSource[] = [
  { field: 'buyer_id', kind: 'account', scoped: true, norm: 'account' },
  { field: 'buyer_openid', kind: 'wechat_openid', scoped: true, norm: 'account' },
  { field: 'buyer_pos_card', kind: 'pos_card', scoped: true, norm: 'account' },
  { field: 'buyer_phone', kind: 'phone', scoped: false, norm: 'phone' },
  { field: 'buyer_email', kind: 'email', scoped: false, norm: 'email' },
  { field: 'buyer_unionid', kind: 'wechat_unionid', scoped: false, norm: 'account' },
];

function sourcesFor(entity: Entity): readonly IdSource[] {
  if (entity === 'members') return MEMBER_IDS;
  if (entity === 'consents') return MEMBER_IDS.slice(0, 1);
  return 'buyer_id' in ENTITIES[entity] ? BUYER_IDS : [];
}

function timeField(entity: Entity): string {
  switch (entity) {
    case 'members':
      return 'registered_at';
    case 'events':
    case 'consents':
      return 'at';
    case 'returns':
      return 'returned_at';
    default:
      return 'created_at';
  }
}

/**
 * Builds _obs (every normalized identifier of every accepted row, with its anchor priority)
 * and _id_warnings (identifiers given but unusable, such as masked phones) from _ok.
 * Returns false when the entity carries no identifiers.
 */
export async function observeIdentifiers(db: Db, entity: Entity, country: string): Promise<boolean> {
  const sources = sourcesFor(entity);
  await db.run('CREATE OR REPLACE TEMP TABLE _obs (__line BIGINT, slot INTEGER, kind VARCHAR, scope VARCHAR, value VARCHAR, seen_at TIMESTAMP)');
  await db.run('CREATE OR REPLACE TEMP TABLE _id_warnings (__line BIGINT, field VARCHAR, value VARCHAR)');
  if (sources.length === 0) return false;
  const at = timeField(entity);
  for (const [slot, s] of sources.entries()) {
    const countryField = entity === 'members' ? 'country' : 'buyer_country';
    const rowCountry = countryField in ENTITIES[entity] ? `"${countryField}"` : null;
    const norm = s.norm === 'phone' ? phoneSql(`"${s.field}"`, rowCountry) : s.norm === 'email' ? `norm_email("${s.field}")` : `norm_account("${s.field}")`;
    const scope = s.scoped ? 'channel' : "''";
    await db.run(`INSERT INTO _obs SELECT __line, ${slot}, '${s.kind}', ${scope}, v, "${at}" FROM (SELECT *, ${norm} AS v FROM _ok) WHERE v IS NOT NULL`, s.norm === 'phone' ? [country] : []);
    await db.run(
      `INSERT INTO _id_warnings SELECT __line, '${s.field}', left("${s.field}", 80) FROM _ok
       WHERE "${s.field}" IS NOT NULL AND ${norm} IS NULL`,
      s.norm === 'phone' ? [country] : [],
    );
  }
  return true;
}

/**
 * Adds new identities, widens first/last seen of known ones, links each row's anchor
 * (its highest-priority identifier) to its other identifiers, and leaves _anchor(__line, anchor_id)
 * and _earlier(identity_id) (known identities now first seen earlier) for touchedIdentities.
 */
export async function recordIdentities(db: Db, importId: number): Promise<void> {
  await db.run(
    `INSERT INTO identities (identity_id, kind, scope, value, first_seen, last_seen, import_id, member_id)
     SELECT nextval('identity_seq'), kind, scope, value, first_seen, last_seen, $1, NULL FROM (
       SELECT o.kind, o.scope, o.value, min(o.seen_at) AS first_seen, max(o.seen_at) AS last_seen
       FROM _obs o
       WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.kind = o.kind AND i.scope = o.scope AND i.value = o.value)
       GROUP BY o.kind, o.scope, o.value
       ORDER BY o.kind, o.scope, o.value)`,
    [importId],
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _obs_ids AS
     SELECT o.__line, o.slot, i.identity_id, o.seen_at
     FROM _obs o JOIN identities i ON i.kind = o.kind AND i.scope = o.scope AND i.value = o.value`,
  );
  await db.run('CREATE OR REPLACE TEMP TABLE _seen AS SELECT identity_id, min(seen_at) AS lo, max(seen_at) AS hi FROM _obs_ids GROUP BY identity_id');
  // Known identities now seen earlier than before: their place in resolution's canonical order moves.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _earlier AS
     SELECT s.identity_id FROM _seen s JOIN identities i USING (identity_id)
     WHERE i.import_id <> $1 AND (s.lo < i.first_seen OR (i.first_seen IS NULL AND s.lo IS NOT NULL))`,
    [importId],
  );
  await db.run(
    `UPDATE identities SET first_seen = least(identities.first_seen, s.lo), last_seen = greatest(identities.last_seen, s.hi)
     FROM _seen s
     WHERE identities.identity_id = s.identity_id AND import_id <> $1
       AND (s.lo < identities.first_seen OR s.hi > identities.last_seen
            OR (identities.first_seen IS NULL AND s.lo IS NOT NULL))`,
    [importId],
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _anchor AS
     SELECT __line, arg_min(identity_id, slot) AS anchor_id FROM _obs_ids GROUP BY __line`,
  );
  await db.run(
    `INSERT INTO identity_links
     SELECT anchor_id, identity_id, min(seen_at), $1 FROM (
       SELECT a.anchor_id, o.identity_id, o.seen_at FROM _obs_ids o JOIN _anchor a USING (__line)) n
     WHERE NOT EXISTS (SELECT 1 FROM identity_links l WHERE l.anchor_id = n.anchor_id AND l.identity_id = n.identity_id)
     GROUP BY anchor_id, identity_id`,
    [importId],
  );
}

/**
 * Leaves _touched(identity_id): the identities whose resolution this import can change, once its
 * rows are loaded. Resolution depends on identities (their first sighting orders them), links and
 * member records, so: identities new in this import, known ones now first seen earlier, both ends
 * of new links, and the anchors of new member records. An identity that was only seen again (a
 * repeat buyer's new order) changes nothing: at 10M members an orders file otherwise re-resolved
 * every member.
 */
export async function touchedIdentities(db: Db, importId: number): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _touched AS
     SELECT identity_id FROM identities WHERE import_id = $1
     UNION SELECT identity_id FROM _earlier
     UNION SELECT anchor_id FROM identity_links WHERE import_id = $1
     UNION SELECT identity_id FROM identity_links WHERE import_id = $1
     UNION SELECT anchor_id FROM member_records WHERE import_id = $1 AND anchor_id IS NOT NULL`,
    [importId],
  );
}
