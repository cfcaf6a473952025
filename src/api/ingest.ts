/**
 * Synchronous ingestion and uploads. Records posted with `?mode=sync` are written as NDJSON with
 * the `regulars` preset's field names and imported by the same importFile as `regulars import`
 * (validation per row, natural keys, identity resolution, one transaction); uploads are imported
 * as files. The default answer of POST /api/ingest goes through the inbox (inbox.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseCsv } from '../core/csv.js';
import { ENTITIES, FileRefused, importFile, type Entity, type ImportReport } from '../ingest/index.js';
import { anyObject, authErrors, errorSchema, HttpError, INGEST, OPERATE, READ, type Ctx } from './context.js';

export interface RecordReject {
  index: number;
  field: string;
  reason: string;
  value: string;
}

export interface IngestAnswer {
  received: number;
  loaded: number;
  duplicate: number;
  rejected: RecordReject[];
  import_id: number | null;
  /** Fields the entity does not have; they are not stored (a misspelt name shows up here). */
  ignored_fields: string[];
  merges: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits posted records into NDJSON lines for the importer and rejects it need not see. */
export function prepareRecords(records: readonly unknown[], fields: readonly string[]): { lines: string[]; lineToIndex: number[]; rejected: RecordReject[]; ignored: string[] } {
  const lines: string[] = [];
  const lineToIndex: number[] = [];
  const rejected: RecordReject[] = [];
  const ignored = new Set<string>();
  records.forEach((r, index) => {
    if (!isRecord(r)) {
      rejected.push({ index, field: '', reason: 'a record is a JSON object', value: (JSON.stringify(r) ?? '').slice(0, 200) });
      return;
    }
    let ok = true;
    for (const [field, value] of Object.entries(r)) {
      if (!fields.includes(field)) ignored.add(field);
      else if (typeof value === 'object' && value !== null) {
        rejected.push({ index, field, reason: 'a value is text, a number, true, false or null', value: JSON.stringify(value).slice(0, 200) });
        ok = false;
      }
    }
    if (ok) {
      lineToIndex.push(index);
      lines.push(JSON.stringify(r));
    }
  });
  return { lines, lineToIndex, rejected, ignored: [...ignored].sort() };
}

/** The reject report's rows (line, field, reason, value), lines being 1-based record lines of the file. */
function readRejects(file: string): Array<{ line: number; field: string; reason: string; value: string }> {
  const [header = [], ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const col = (n: string): number => header.indexOf(n);
  return rows.map((r) => ({ line: Number(r[col('line')]), field: r[col('field')] ?? '', reason: r[col('reason')] ?? '', value: r[col('value')] ?? '' }));
}

const csvCell = (v: string | number): string => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/**
 * Rewrites an API batch's reject report so that it names records as the sender counts them:
 * `line` becomes the record's position in the posted batch (1-based, index + 1).
 */
function rewriteRejects(file: string, label: string, rows: readonly RecordReject[]): void {
  const body = rows.map((r) => [label, r.index + 1, r.field, r.reason, r.value].map(csvCell).join(','));
  writeFileSync(file, `file,line,field,reason,value\n${body.join('\n')}\n`);
}

/** A refusal names the temporary file; the caller knows its records by another name. */
const refusal = (err: FileRefused, name: string): HttpError => new HttpError(400, 'refused', `${name}: ${err.message.slice(err.file.length + 2)}`);

export const ingestAnswer = {
  type: 'object',
  properties: {
    received: { type: 'integer' },
    loaded: { type: 'integer' },
    duplicate: { type: 'integer' },
    rejected: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' }, value: { type: 'string' } } },
    },
    import_id: { type: ['integer', 'null'] },
    ignored_fields: { type: 'array', items: { type: 'string' } },
    merges: { type: 'integer' },
  },
} as const;

/**
 * The synchronous answer (`?mode=sync`): the records are imported into the member base before the
 * answer, as one import. Slower than the inbox, and only on a server with the analytical store.
 */
export async function syncIngest(ctx: Ctx, entity: Entity, records: readonly unknown[]): Promise<IngestAnswer> {
  const { db, clock, serial, rejectsDir } = ctx;
  const { lines, lineToIndex, rejected, ignored } = prepareRecords(records, Object.keys(ENTITIES[entity]));
  const answer: IngestAnswer = { received: records.length, loaded: 0, duplicate: 0, rejected, import_id: null, ignored_fields: ignored, merges: 0 };
  if (lines.length === 0) return answer;
  const dir = mkdtempSync(join(tmpdir(), 'regulars-ingest-'));
  try {
    const file = join(dir, `${entity}.ndjson`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const report = await serial(() => importFile(db, clock, file, { preset: 'regulars', entity, rejectsDir, refuseAllInvalid: false }));
    if (report.rejects_file !== null && existsSync(report.rejects_file)) {
      const mapped = readRejects(report.rejects_file).map((r) => ({ index: lineToIndex[r.line - 1] ?? -1, field: r.field, reason: r.reason, value: r.value }));
      rewriteRejects(report.rejects_file, `POST /api/ingest/${entity}`, mapped);
      rejected.push(...mapped);
    }
    rejected.sort((a, b) => a.index - b.index || a.field.localeCompare(b.field));
    return { ...answer, loaded: report.loaded + report.guest + report.return + report.non_product, duplicate: report.duplicate, import_id: report.import_id, merges: report.merges };
  } catch (err) {
    if (err instanceof FileRefused) throw refusal(err, `the ${entity} records`);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ingestRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, clock, serial, need, rejectsDir } = ctx;

  // Uploads: the raw body is the file, in any format the command line imports. Its own
  // context, so that no body is parsed as JSON or NDJSON on the way in.
  void app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.uploadLimit }, (_req, body, done) => done(null, body));
    child.post<{ Querystring: { preset?: string; entity?: string; filename?: string; channel?: string }; Body: Buffer }>(
      '/api/imports',
      {
        preHandler: need(OPERATE),
        bodyLimit: ctx.uploadLimit,
        schema: {
          summary: 'Import an uploaded file (CSV, NDJSON, Parquet; gzip) as regulars import does',
          querystring: {
            type: 'object',
            properties: { preset: { type: 'string' }, entity: { type: 'string' }, filename: { type: 'string' }, channel: { type: 'string' } },
          },
          response: { 200: anyObject, 400: errorSchema, 413: errorSchema, ...authErrors },
        },
      },
      async (req): Promise<ImportReport> => {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty', 'Send the file as the request body.');
        const q = req.query;
        const name = basename(q.filename ?? `${q.entity ?? 'upload'}.csv`).replace(/[^\w.-]/g, '_');
        const dir = mkdtempSync(join(tmpdir(), 'regulars-upload-'));
        try {
          const file = join(dir, name);
          writeFileSync(file, req.body);
          const report = await serial(() =>
            importFile(db, clock, file, {
              preset: q.preset ?? 'regulars',
              ...(q.entity !== undefined && q.entity !== '' ? { entity: q.entity } : {}),
              ...(q.channel !== undefined && q.channel !== '' ? { channel: q.channel } : {}),
              rejectsDir,
            }),
          );
          return { ...report, file: name };
        } catch (err) {
          if (err instanceof FileRefused) throw refusal(err, name);
          throw err;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });

  app.get('/api/imports', { preHandler: need(READ), schema: { summary: 'Recent imports (newest first)', response: { 200: anyObject, ...authErrors } } }, async () => {
    const rows = await serial(() =>
      db.all(
        `SELECT import_id, file, preset, entity, channel_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at,
                  strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at,
                  json_extract(report, '$.rows_read')::BIGINT AS rows_read, json_extract(report, '$.loaded')::BIGINT AS loaded,
                  json_extract(report, '$.rejected')::BIGINT AS rejected, json_extract(report, '$.duplicate')::BIGINT AS duplicate,
                  json_extract_string(report, '$.rejects_file') IS NOT NULL AS has_rejects
           FROM imports ORDER BY import_id DESC LIMIT 50`,
      ),
    );
    // Files are named as their sender named them, not by where they were staged.
    return { imports: rows.map((r) => ({ ...r, file: basename(String(r['file'])) })) };
  });

  // Reject reports quote the rejected values (phones and emails among them): not for analysts.
  app.get<{ Params: { id: number } }>(
    '/api/imports/:id/rejects.csv',
    {
      preHandler: need(INGEST),
      schema: {
        summary: 'The reject report of one import (CSV: line, field, reason, value)',
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        response: { 404: errorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const row = await serial(() => db.one("SELECT json_extract_string(report, '$.rejects_file') AS rejects_file FROM imports WHERE import_id = $1", [req.params.id]));
      const file = row?.['rejects_file'];
      if (typeof file !== 'string' || !existsSync(file)) throw new HttpError(404, 'not_found', `Import ${req.params.id} has no reject report.`);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejects-${req.params.id}.csv"`).send(readFileSync(file));
    },
  );
}
