/**
 * "Bought together" for one item and recommendations from what a member is viewing or has in
 * the cart, scored from co-purchases and co-views over a window; see docs/products.md.
 */
import { namedStatements, sqlFile, type Db, type Row } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'recommend.sql'));

/** The window and limits of a look-up. */
export interface TogetherOptions {
  readonly from: string;
  readonly to: string;
  /** Fewest baskets (or view sessions) together for a pair to count (default 2). */
  readonly minTogether?: number;
  readonly limit?: number;
}

/** Items most often in the same order as `sku`: by baskets together (its confidence), then lift. */
export async function boughtTogether(db: Db, sku: string, o: TogetherOptions): Promise<Row[]> {
  return db.all(SQL('bought_together'), [o.from, o.to, sku, o.minTogether ?? 2, o.limit ?? 10]);
}

/**
 * Recommendations for the items being viewed or in the cart: for each other item j,
 * co_purchase = the best confidence(c => j) over the context items c (orders), co_view = the same
 * over view sessions, score = co_purchase + 0.5 x co_view; items in the context and items the
 * member already bought are left out.
 */
export async function recommend(db: Db, context: readonly string[], memberId: string | null, o: TogetherOptions): Promise<Row[]> {
  if (context.length === 0) return [];
  return db.all(SQL('recommend'), [o.from, o.to, JSON.stringify([...context]), memberId, o.limit ?? 10, o.minTogether ?? 2]);
}
