/**
 * The member 360 view and the member-base statistics, read straight from the canonical tables.
 */
import { namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { fromUnits, toUnits } from '../core/decimal.js';
import { getSetting } from '../core/settings/index.js';
import { memberAnalytics, memberTags } from '../analytics/index.js';
import { memberScores, type MemberScores } from '../models/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'members.sql'));

export interface MemberView {
  member: Row;
  identities: Row[];
  consents: Row[];
  summary: Row;
  orders: Row[];
  returns: Row[];
  events: Row[];
  merges: Row[];
  /** Stored RFM scores and lifecycle stage (latest refreshes first). */
  analytics: Row[];
  /** Stored tags (as of the last tags refresh), each with the rule that produced it. */
  tags: Row[];
  /** Customer-model scores of the latest `models score` run (null when not scored). */
  models: MemberScores | null;
}

/** Raised when a look-up matches no member, or several. */
export class MemberLookupError extends Error {
  constructor(
    message: string,
    readonly candidates: string[] = [],
  ) {
    super(message);
    this.name = 'MemberLookupError';
  }
}

/**
 * Finds the member a reference names: a member ID (merged-away IDs resolve to the survivor),
 * a phone, an email, or channel:external-id.
 */
export async function findMember(db: Db, ref: string): Promise<string> {
  const text = ref.trim();
  const direct = str(await db.one(SQL('by_member'), [text]), 'member_id');
  if (direct !== null) return direct;
  const country = await getSetting(db, 'identity.default_country');
  const candidates: string[] = [];
  const add = (rows: Row[]): void => {
    for (const r of rows) {
      const m = str(r, 'member_id');
      if (m !== null && !candidates.includes(m)) candidates.push(m);
    }
  };
  const colon = text.indexOf(':');
  if (colon > 0 && !text.includes('@')) {
    add(await db.all(SQL('by_identity'), [text.slice(colon + 1).trim(), text.slice(0, colon).trim(), null]));
  }
  if (candidates.length === 0) {
    const norm = await db.one('SELECT norm_email($1) AS e, norm_phone($1, $2) AS p', [text, country]);
    const email = str(norm, 'e');
    const phone = str(norm, 'p');
    if (email !== null) add(await db.all(SQL('by_identity'), [email, '', 'email']));
    else if (phone !== null) add(await db.all(SQL('by_identity'), [phone, '', 'phone']));
  }
  if (candidates.length === 0) add(await db.all(SQL('by_identity'), [text, null, null]));
  if (candidates.length === 0) throw new MemberLookupError(`no member matches '${ref}' (try a member ID, phone, email or channel:external-id)`);
  if (candidates.length > 1) {
    throw new MemberLookupError(`'${ref}' matches ${candidates.length} members; name one: ${candidates.slice(0, 10).join(', ')}`, candidates);
  }
  return candidates[0] ?? '';
}

/** Everything known about one member. */
export async function memberView(db: Db, memberId: string): Promise<MemberView> {
  const member = await db.one(SQL('profile'), [memberId]);
  if (member === undefined) throw new MemberLookupError(`no member ${memberId}`);
  // The member row lists its identity IDs (identities.member_id has no index: resolution
  // rewrites it in bulk); the identity, order, return, event and consent reads take them as a
  // constant list, which DuckDB answers from the indexes (migrations 012, 013).
  const { identity_ids: idList, ...memberRow } = member;
  const ids = typeof idList === 'string' ? idList : '[]';
  const orderIds = str(await db.one(SQL('order_ids'), [ids]), 'ids') ?? '[]';
  const orders = await db.all(SQL('orders'), [ids, orderIds]);
  return {
    member: memberRow,
    identities: await db.all(SQL('identities'), [ids]),
    consents: await db.all(SQL('consents'), [ids]),
    summary: purchaseSummary(orders),
    orders,
    returns: await db.all(SQL('returns'), [ids]),
    events: await db.all(SQL('events'), [ids]),
    merges: await db.all(SQL('merges'), [memberId]),
    analytics: await memberAnalytics(db, memberId),
    tags: await memberTags(db, memberId),
    models: await memberScores(db, memberId),
  };
}

/** Purchases, first and last purchase and gross product value (exact, 4 places) of a member's orders. */
export function purchaseSummary(orders: readonly Row[]): Row {
  const purchases = orders.filter((o) => o['is_purchase'] === true);
  const times = purchases.map((o) => String(o['created_at'])).sort();
  let gross = 0n;
  for (const o of purchases) gross += toUnits(str(o, 'product_value'));
  return {
    purchases: String(purchases.length),
    first_purchase: times[0] ?? null,
    last_purchase: times[times.length - 1] ?? null,
    gross: fromUnits(gross),
  };
}

export interface Stats {
  totals: Row;
  channels: Row[];
}

/** Counts and revenue (gross, refunds, net; exact decimal strings) overall and per channel. */
export async function memberBaseStats(db: Db): Promise<Stats> {
  const perChannel = SQL('stats_channels').replace(/;\s*$/, '');
  const sums = await db.one(
    `SELECT sum(orders) AS orders, sum(purchases) AS purchases, sum(guest_orders) AS guest_orders, sum(lines) AS lines,
            sum(returns) AS returns, sum(unmatched_returns) AS unmatched_returns, sum(events) AS events,
            coalesce(sum(gross::DECIMAL(18,4)), 0)::VARCHAR AS gross, coalesce(sum(refunds::DECIMAL(18,4)), 0)::VARCHAR AS refunds,
            coalesce(sum(net::DECIMAL(18,4)), 0)::VARCHAR AS net
     FROM (${perChannel})`,
  );
  const totals = { ...((await db.one(SQL('stats_totals'))) ?? {}), ...(sums ?? {}) };
  return { totals, channels: await db.all(perChannel) };
}

/** Members matching a search text: name (substring), phone, email, channel account ID or member ID. */
export async function searchMembers(db: Db, q: string, limit = 20): Promise<Row[]> {
  const text = q.trim();
  if (text === '') return [];
  const country = await getSetting(db, 'identity.default_country');
  const norm = await db.one('SELECT norm_phone($1, $2) AS p, norm_email($1) AS e', [text, country]);
  return db.all(SQL('search'), [text, str(norm, 'p'), str(norm, 'e'), Math.max(1, Math.min(200, Math.trunc(limit)))]);
}
