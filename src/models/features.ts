/**
 * Member features for clusters and decision trees: RFM and tenure from the models' occasions and,
 * when asked for, shares by category, channel and tag.
 */
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';

const sql = namedStatements(sqlFile(import.meta.url, 'features.sql'));

/** A feature: its name, the words a profile uses, and whether it is taken as log(1 + v). */
export interface Feature {
  name: string;
  label: string;
  high: string;
  low: string;
  log: boolean;
}

/** The four features every clustering uses, in column order. */
export const FEATURES: readonly Feature[] = [
  { name: 'recency_days', label: 'days since the last occasion', high: 'lapsing', low: 'recent', log: false },
  { name: 'occasions', label: 'occasions', high: 'frequent', low: 'infrequent', log: true },
  { name: 'mean_value', label: 'value per occasion', high: 'big spenders per visit', low: 'small baskets', log: true },
  { name: 'tenure_days', label: 'days since the first occasion', high: 'long-standing', low: 'new', log: false },
];

/** Which share features to add to RFM and tenure. */
export interface FeatureChoice {
  /** Share of the member's product value by top-level category. */
  categories?: boolean;
  /** Share of the member's occasions by channel. */
  channels?: boolean;
  /** 1 for each tag value the member holds (latest analytics refresh by the day). */
  tags?: boolean;
}

/** At most this many keys (categories, channels, tag values) per family, the most common first. */
export const MAX_SHARE_KEYS = 8;

/** Members (sorted by ID), the features, and one Float64Array per feature. */
export interface MemberFeatures {
  members: string[];
  features: Feature[];
  columns: Float64Array[];
}

const FAMILIES = [
  { flag: 'categories', query: 'category_shares', prefix: 'category', label: (k: string) => `share of value in ${k}`, high: (k: string) => `${k} buyers`, low: (k: string) => `little ${k}` },
  { flag: 'channels', query: 'channel_shares', prefix: 'channel', label: (k: string) => `share of occasions on ${k}`, high: (k: string) => `on ${k}`, low: (k: string) => `rarely on ${k}` },
  { flag: 'tags', query: 'tag_shares', prefix: 'tag', label: (k: string) => `tagged ${k}`, high: (k: string) => `tagged ${k}`, low: (k: string) => `not tagged ${k}` },
] as const;

/** Reads every member's features as of a day. */
export async function readFeatures(db: Db, asOf: string, choice: FeatureChoice = {}): Promise<MemberFeatures> {
  const rows = await db.all(sql('features'), [asOf]);
  const members = rows.map((r) => String(r['member_id']));
  const features = [...FEATURES];
  const columns = FEATURES.map((f) => Float64Array.from(rows, (r) => Number(r[f.name])));
  const index = new Map(members.map((m, i) => [m, i]));
  for (const fam of FAMILIES) {
    if (choice[fam.flag] !== true) continue;
    const shares = await db.all(sql(fam.query), [asOf, MAX_SHARE_KEYS]);
    const keys = [...new Set(shares.map((r) => String(r['key'])))].sort();
    for (const key of keys) {
      const col = new Float64Array(members.length);
      for (const r of shares) {
        const i = index.get(String(r['member_id']));
        if (i !== undefined && String(r['key']) === key) col[i] = Number(r['share']);
      }
      features.push({ name: `${fam.prefix}:${key}`, label: fam.label(key), high: fam.high(key), low: fam.low(key), log: false });
      columns.push(col);
    }
  }
  return { members, features, columns };
}

/**
 * Standardized features for distances: counts and money are skewed, so occasions and value per
 * occasion are taken as log(1 + v) first; then every column (shares too) is centred and divided
 * by its standard deviation (a constant column becomes zeros).
 */
export function standardize(f: MemberFeatures): Float64Array[] {
  return f.columns.map((col, j) => {
    const v = f.features[j]?.log === true ? col.map((x) => Math.log1p(Math.max(0, x))) : Float64Array.from(col);
    let mean = 0;
    for (const x of v) mean += x;
    mean /= Math.max(1, v.length);
    let ss = 0;
    for (const x of v) ss += (x - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, v.length));
    return v.map((x) => (sd > 0 ? (x - mean) / sd : 0));
  });
}
