/**
 * Customer coverage per product: how widely it reaches the member base, overall, per lifecycle
 * stage and per RFM group, from the stages and scores stored for the as-of date.
 */
import { int, namedStatements, sqlFile, type Db } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'coverage.sql'));

/** Coverage over the purchases of from..asOf; stages and RFM groups as stored for asOf. */
export async function coverage(db: Db, from: string, asOf: string, rfmWindowDays: number): Promise<Record<string, unknown>> {
  const sizes = await db.one(SQL('sizes'), [asOf, rfmWindowDays]);
  const rows = await db.all(SQL('compute'), [from, asOf, rfmWindowDays]);
  return {
    window: { from, to: asOf },
    staged_members: int(sizes, 'staged_members'),
    scored_members: int(sizes, 'scored_members'),
    products: rows,
  };
}
