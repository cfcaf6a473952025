/**
 * order_facts: each order with its line totals, maintained by the imports instead of being
 * summed from every order line whenever a report runs (see order-facts.sql).
 */
import { int, namedStatements, sqlFile, type Db } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'order-facts.sql'));

/**
 * Brings order_facts up to date for the orders an import added or added lines to, or for every
 * order when no import is named (after writing orders or lines by other means). Runs inside the
 * caller's transaction.
 */
export async function refreshOrderFacts(db: Db, importId: number | null = null): Promise<void> {
  if (importId === null) await db.run(SQL('all'));
  else await db.run(SQL('touched'), [importId]);
  await db.run(SQL('delete'));
  await db.run(SQL('insert'));
  await db.run('DROP TABLE IF EXISTS _fact_keys');
}

/** Above this many moved orders, the sync rewrites order_facts instead of updating it in place. */
const UPDATE_LIMIT = 50_000;

/**
 * Brings order_facts.member_id up to date with the identities (resolution and corrections move
 * identities between members after their orders were written). Only identities moved since the
 * last sync are read (resolution stamps them, migration 020): when none moved this reads one
 * column of the identities and writes nothing; a few moved orders are updated in place; more
 * than updateLimit (a large merge) rewrite the table, since DuckDB updates millions of rows far
 * slower than it writes them. Returns the number of orders whose member changed.
 */
export async function syncOrderFactMembers(db: Db, updateLimit = UPDATE_LIMIT): Promise<number> {
  const mark = await db.one(SQL('watermark'));
  const moved = int(mark, 'moved');
  const synced = int(mark, 'synced');
  if (moved <= synced) return 0;
  const stale = int(await db.one(SQL('stale'), [synced]), 'n');
  await db.transaction(async () => {
    if (stale > 0 && stale <= updateLimit) await db.run(SQL('update-members'), [synced]);
    if (stale > updateLimit) {
      await db.run(SQL('rewrite-copy'));
      await db.run(SQL('rewrite-clear'));
      await db.run(SQL('rewrite-fill'));
      await db.run('DROP TABLE _facts');
    }
    await db.run(SQL('synced'), [moved]);
  });
  return stale;
}
