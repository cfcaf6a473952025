export { Db, DatabaseLockedError, EngineSettingError, engineOptions, sqlFile, str, int } from './database.js';
export type { Row, SqlParam } from './database.js';
export { migrate } from './migrate.js';
export { namedStatements } from './named.js';

import { Db } from './database.js';
import { migrate } from './migrate.js';

/** Opens a database file and brings its schema up to date. */
export async function openDatabase(path: string): Promise<Db> {
  const db = await Db.open(path);
  try {
    await migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
