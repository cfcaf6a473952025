/** Member features for clusters and decision trees: RFM and tenure from the models' occasions. */
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';

const sql = namedStatements(sqlFile(import.meta.url, 'features.sql'));

/** Feature names, in column order, with the words a profile uses. */
export const FEATURES = [
  { name: 'recency_days', label: 'days since the last occasion', high: 'lapsing', low: 'recent' },
  { name: 'occasions', label: 'occasions', high: 'frequent', low: 'infrequent' },
  { name: 'mean_value', label: 'value per occasion', high: 'big spenders per visit', low: 'small baskets' },
  { name: 'tenure_days', label: 'days since the first occasion', high: 'long-standing', low: 'new' },
] as const;

/** Members (sorted by ID) and their raw features, one Float64Array per feature. */
export interface MemberFeatures {
  members: string[];
  columns: Float64Array[];
}

/** Reads every member's features as of a day. */
export async function readFeatures(db: Db, asOf: string): Promise<MemberFeatures> {
  const rows = await db.all(sql('features'), [asOf]);
  return {
    members: rows.map((r) => String(r['member_id'])),
    columns: FEATURES.map((f) => Float64Array.from(rows, (r) => Number(r[f.name]))),
  };
}

/**
 * Standardized features for distances: counts and money are skewed, so occasions and value per
 * occasion are taken as log(1 + v) first; then every column is centred and divided by its
 * standard deviation (a constant column becomes zeros).
 */
export function standardize(f: MemberFeatures): Float64Array[] {
  return f.columns.map((col, j) => {
    const v = j === 1 || j === 2 ? col.map((x) => Math.log1p(Math.max(0, x))) : Float64Array.from(col);
    let mean = 0;
    for (const x of v) mean += x;
    mean /= Math.max(1, v.length);
    let ss = 0;
    for (const x of v) ss += (x - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, v.length));
    return v.map((x) => (sd > 0 ? (x - mean) / sd : 0));
  });
}
