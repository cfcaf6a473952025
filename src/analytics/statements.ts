/** The analytic SQL of the member reports, one set of named statements per .sql file beside this one. */
import { namedStatements, sqlFile } from '../core/db/index.js';

export const RFM = namedStatements(sqlFile(import.meta.url, 'rfm.sql'));
export const REPEAT = namedStatements(sqlFile(import.meta.url, 'repeat.sql'));
export const LIFECYCLE = namedStatements(sqlFile(import.meta.url, 'lifecycle.sql'));
export const COHORTS = namedStatements(sqlFile(import.meta.url, 'cohorts.sql'));
export const TAGS = namedStatements(sqlFile(import.meta.url, 'tags.sql'));
