/** Opens a Regulars database ready for work: schema migrated, normalization macros installed. */
import { openDatabase, type Db } from './core/db/index.js';
import { installNormalization } from './identity/index.js';

export async function openRegulars(path: string): Promise<Db> {
  const db = await openDatabase(path);
  try {
    await installNormalization(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
