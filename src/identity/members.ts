import { namedStatements, sqlFile, type Db } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'members.sql'));

/** Rebuilds the members touched by the current resolution from their identities and records. */
export async function rebuildMembers(db: Db, now: string): Promise<void> {
  await db.run(SQL('delete'));
  await db.run(SQL('insert'), [now]);
}
