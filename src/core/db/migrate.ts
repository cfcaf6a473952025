import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { int, type Db } from './database.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies the numbered migrations not yet applied, each in its own transaction. */
export async function migrate(db: Db): Promise<number[]> {
  await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
  const done = new Set((await db.all('SELECT version FROM schema_migrations')).map((r) => int(r, 'version')));
  const files = readdirSync(dir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort();
  const applied: number[] = [];
  for (const file of files) {
    const version = Number(file.split('_')[0]);
    if (done.has(version)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    await db.transaction(async () => {
      await db.run(sql);
      await db.run('INSERT INTO schema_migrations VALUES ($1, $2, current_timestamp)', [version, file]);
    });
    applied.push(version);
  }
  return applied;
}
