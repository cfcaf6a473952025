/** The models' stored fits, keyed by (model, calibration end, period). */
import { Value } from '@sinclair/typebox/value';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { StoredFitSchema, type ModelFit, type StoredFit } from './schema.js';
import type { Period } from './summary.js';

const sql = namedStatements(sqlFile(import.meta.url, 'store.sql'));

function toStored(row: Row): StoredFit {
  const doc: unknown = { ...JSON.parse(str(row, 'fit') ?? '{}'), calibration_end: str(row, 'calibration_end'), period: str(row, 'period'), fitted_at: str(row, 'fitted_at') };
  if (!Value.Check(StoredFitSchema, doc)) throw new Error(`a stored model fit does not match its schema: ${JSON.stringify(doc).slice(0, 200)}`);
  return doc;
}

/** Stores a fit under its key, replacing an earlier fit with the same key. */
export async function saveFit(db: Db, clock: Clock, fit: ModelFit, calibrationEnd: string, period: Period): Promise<StoredFit> {
  const fittedAt = sqlTimestamp(clock.now()).slice(0, 19);
  await db.run(sql('save_fit'), [fit.model, calibrationEnd, period, fittedAt, JSON.stringify(fit)]);
  return { ...fit, calibration_end: calibrationEnd, period, fitted_at: fittedAt };
}

/** The stored fit for a key, or null. */
export async function loadFit(db: Db, model: ModelFit['model'], calibrationEnd: string, period: Period): Promise<StoredFit | null> {
  const row = await db.one(sql('load_fit'), [model, calibrationEnd, period]);
  return row === undefined ? null : toStored(row);
}

/** Every stored fit, latest calibration end first. */
export async function listFits(db: Db): Promise<StoredFit[]> {
  return (await db.all(sql('list_fits'))).map(toStored);
}
