/**
 * Stored item co-occurrence: a rules run over the whole base (item level, one basket per order)
 * keeps each item's baskets and each pair's baskets together for its window, and "bought
 * together" answers from them while no import has finished since; see docs/products.md.
 */
import { int, namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'pairs.sql'));

/** Pairs in fewer baskets than this are not stored (nor shown: "bought together" needs 2). */
export const MIN_TOGETHER = 2;

/** The window whose counts are stored. */
export interface PairWindow {
  /** null: all history up to `to`. */
  readonly from: string | null;
  readonly to: string;
  readonly baskets: number;
  readonly minTogether: number;
}

/**
 * Replaces the stored counts with those of the baskets in _basket_items (the window from..to
 * holding `baskets` baskets). Call inside the run's transaction, so counts and window change together.
 */
export async function storePairs(db: Db, from: string | null, to: string, baskets: number): Promise<void> {
  await db.run(SQL('clear_window'));
  await db.run(SQL('clear_counts'));
  await db.run(SQL('clear_pairs'));
  await db.run(SQL('store_counts'));
  await db.run(SQL('store_pairs'), [MIN_TOGETHER]);
  await db.run(SQL('store_window'), [from, to, baskets, MIN_TOGETHER]);
}

/** The stored window, or null when none is stored or an import has finished since. */
export async function storedWindow(db: Db): Promise<PairWindow | null> {
  const r = await db.one(SQL('window'));
  if (r === undefined) return null;
  return { from: str(r, 'window_from'), to: str(r, 'window_to') ?? '', baskets: int(r, 'baskets'), minTogether: int(r, 'min_together') };
}

/** "Bought together" for one item from the stored counts (same fields and order as computed per request). */
export async function storedBoughtTogether(db: Db, item: string, o: { readonly minTogether?: number; readonly limit?: number }): Promise<Row[]> {
  return db.all(SQL('bought_together'), [item, Math.max(o.minTogether ?? MIN_TOGETHER, MIN_TOGETHER), o.limit ?? 10]);
}
