/**
 * order_facts: each order with its line totals, maintained by the imports instead of being
 * summed from every order line whenever a report runs (see order-facts.sql).
 */
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';

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
