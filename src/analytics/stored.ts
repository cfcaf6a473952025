/**
 * The stored results (analysis_results): a report's document is read back while no import has
 * landed since it was computed, and written once computed; the per-member outputs a report
 * stores (tags, RFM scores, stages) are read here for a member's page.
 */
import { str, type Db, type Row } from '../core/db/index.js';
import { TAG_RULES } from './params.js';
import { AnalysisError, type Report } from './options.js';
import { TAGS } from './statements.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A report's stored result for a date and parameters, when it was computed after the last import. */
export async function readStored(db: Db, report: Report, asOf: string, key: string): Promise<{ computed_at: string; result: Record<string, unknown> } | undefined> {
  const stored = await db.one(
    `SELECT strftime(computed_at, '%Y-%m-%d %H:%M:%S') AS computed_at, result FROM analysis_results
     WHERE report = $1 AND as_of = $2::DATE AND params = $3
       AND computed_at >= coalesce((SELECT max(finished_at) FROM imports), TIMESTAMP '1900-01-01')`,
    [report, asOf, key],
  );
  if (stored === undefined) return undefined;
  const result: unknown = JSON.parse(str(stored, 'result') ?? '{}');
  if (!isRecord(result)) throw new AnalysisError(`the stored ${report} report as of ${asOf} is not a JSON object: run \`regulars refresh --only ${report}\` to recompute it`);
  return { computed_at: str(stored, 'computed_at') ?? '', result };
}

/** Stores a report's result for a date and parameters (replacing what was stored for them). */
export async function writeStored(db: Db, report: Report, asOf: string, key: string, computedAt: string, result: Record<string, unknown>): Promise<void> {
  await db.run('INSERT OR REPLACE INTO analysis_results VALUES ($1, $2::DATE, $3, $4::TIMESTAMP, $5)', [report, asOf, key, computedAt, JSON.stringify(result)]);
}

/** A member's stored tags with the rule of each (for members show). */
export async function memberTags(db: Db, memberId: string): Promise<Row[]> {
  const rows = await db.all(TAGS('member'), [memberId]);
  if (rows.length === 0) return rows;
  const stored = await db.one("SELECT params FROM analysis_results WHERE report = 'tags' ORDER BY computed_at DESC LIMIT 1");
  const params: unknown = JSON.parse(str(stored, 'params') ?? '{}');
  const rules = TAG_RULES(isRecord(params) ? params : {});
  return rows.map((r) => ({ ...r, rule: rules[String(r['tag'])] ?? '' }));
}

/** A member's stored RFM scores and lifecycle stage, latest first (for members show). */
export async function memberAnalytics(db: Db, memberId: string): Promise<Row[]> {
  return db.all(
    `SELECT strftime(r.as_of, '%Y-%m-%d') AS as_of, r.recency, r.frequency, r.monetary::VARCHAR AS monetary,
            r.r_score, r.f_score, r.m_score, r.segment, r.group_cn, l.stage
     FROM member_rfm r LEFT JOIN member_lifecycle l ON l.member_id = r.member_id AND l.as_of = r.as_of
     WHERE r.member_id = $1 ORDER BY r.as_of DESC LIMIT 3`,
    [memberId],
  );
}
