/**
 * The HTTP API: a thin Fastify shell over the same core the CLI uses. Route schemas validate
 * requests and generate the OpenAPI document. One database connection; every request that
 * touches it runs through one queue, so writes never interleave.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Db, Row } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { parseCsv } from '../core/csv.js';
import { checkSetting, isSettingKey, listSettings, setSetting } from '../core/settings/index.js';
import { analyze, AnalysisError, defaultAsOf, DIMENSIONS, REPORTS, type Report } from '../analytics/index.js';
import { findMember, memberView, MemberLookupError, searchMembers } from '../members/index.js';
import { ENTITY_NAMES, FileRefused, importFile, PRESETS } from '../ingest/index.js';
import { createKey, isScope, listKeys, maskEmail, maskPhone, revokeKey, SCOPES, verifyKey, type Scope } from './keys.js';

export interface AppOptions {
  db: Db;
  clock: Clock;
  /** Largest JSON/NDJSON ingestion body in bytes (default 10 MB). */
  bodyLimit?: number;
  /** Largest uploaded import file in bytes (default 1 GB). */
  uploadLimit?: number;
  /** Where reject reports of API imports go (default: rejects/ beside the database). */
  rejectsDir?: string;
  /** The built console (default: dist/web of this package). */
  webDir?: string;
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    key?: { key_id: string; name: string; scope: Scope };
  }
}

const VERSION = '0.1.0';
const READ: readonly Scope[] = ['admin', 'operator', 'analyst'];
const WRITE_SETTINGS: readonly Scope[] = ['admin', 'operator'];
const INGEST: readonly Scope[] = ['admin', 'operator', 'integrator'];
const ADMIN: readonly Scope[] = ['admin'];

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** One queue for the one connection. */
function queue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

function maskView(v: Record<string, unknown>): Record<string, unknown> {
  const identities = (v['identities'] as Row[] | undefined)?.map((i) =>
    i['kind'] === 'phone' ? { ...i, value: maskPhone(String(i['value'])) } : i['kind'] === 'email' ? { ...i, value: maskEmail(String(i['value'])) } : i,
  );
  return { ...v, identities };
}
const maskHit = (r: Row): Row => ({ ...r, phone: r['phone'] === null ? null : maskPhone(String(r['phone'])), email: r['email'] === null ? null : maskEmail(String(r['email'])) });

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { db, clock } = opts;
  const serial = queue();
  const bodyLimit = opts.bodyLimit ?? Number(process.env['REGULARS_API_BODY_LIMIT'] ?? 10 * 1024 * 1024);
  const uploadLimit = opts.uploadLimit ?? 1024 * 1024 * 1024;
  const rejectsDir = opts.rejectsDir ?? resolve('rejects');
  const webDir = opts.webDir ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web');
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit, ajv: { customOptions: { coerceTypes: true, removeAdditional: false } } });

  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => {
    const records: unknown[] = [];
    const lines = String(body).split(/\r?\n/);
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        done(new HttpError(400, 'bad_ndjson', `line ${i + 1} of the NDJSON body is not JSON`), undefined);
        return;
      }
    }
    done(null, records);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: uploadLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, _req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ error: err.code, message: err.message });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      return reply.status(413).send({ error: 'payload_too_large', message: `The body is larger than the limit of ${bodyLimit} bytes; send smaller batches.` });
    }
    if (err instanceof AnalysisError || err instanceof FileRefused) return reply.status(400).send({ error: 'bad_request', message: err.message });
    if (err instanceof MemberLookupError) return reply.status(404).send({ error: 'not_found', message: err.message });
    if (err.validation !== undefined) return reply.status(400).send({ error: 'invalid_request', message: err.message });
    if (err.statusCode !== undefined && err.statusCode < 500) return reply.status(err.statusCode).send({ error: 'bad_request', message: err.message });
    app.log.error(err);
    return reply.status(500).send({ error: 'internal', message: 'An unexpected error; the server log has the details.' });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Regulars API', version: VERSION, description: 'Member CRM: ingestion, analytics reports, member search and profiles.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  // Authentication: every /api route but health, the OpenAPI document and its page.
  const open = (url: string): boolean => url === '/api/health' || url.startsWith('/api/docs') || url === '/api/openapi.json' || !url.startsWith('/api/');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const url = req.url.split('?')[0] ?? '';
    if (open(url)) return;
    const header = req.headers['authorization'];
    const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : '';
    if (presented === '') throw new HttpError(401, 'unauthorized', 'An API key is required: send Authorization: Bearer <key> (create one with regulars keys create).');
    const key = await serial(() => verifyKey(db, clock, presented));
    if (key === null) throw new HttpError(401, 'unauthorized', 'The API key is not valid or has been revoked.');
    req.key = key;
  });
  const need = (scopes: readonly Scope[]) => async (req: FastifyRequest): Promise<void> => {
    if (req.key === undefined || !scopes.includes(req.key.scope)) {
      throw new HttpError(403, 'forbidden', `This needs a key with scope ${scopes.join(' or ')}; yours is ${req.key?.scope ?? 'none'}.`);
    }
  };
  const masked = (req: FastifyRequest): boolean => req.key?.scope === 'analyst';

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/health', { schema: { security: [], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, version: { type: 'string' } } } } } }, async () => ({ ok: true, version: VERSION }));
  app.get('/api/me', { schema: { response: { 200: anyObject } } }, async (req) => ({ scope: req.key?.scope, key_id: req.key?.key_id, name: req.key?.name }));

  app.get('/api/meta', { preHandler: need(READ), schema: { response: { 200: anyObject } } }, async () =>
    serial(async () => {
      const range = await db.one("SELECT strftime(min(created_at), '%Y-%m-%d') AS first_day, strftime(max(created_at), '%Y-%m-%d') AS last_day FROM orders");
      return {
        as_of_default: await defaultAsOf(db, clock),
        first_day: range?.['first_day'] ?? null,
        last_day: range?.['last_day'] ?? null,
        channels: (await db.all('SELECT channel_id FROM orders GROUP BY 1 UNION SELECT channel_id FROM events GROUP BY 1 ORDER BY 1')).map((r) => r['channel_id']),
        stores: (await db.all('SELECT DISTINCT store_id FROM orders WHERE store_id IS NOT NULL ORDER BY 1')).map((r) => r['store_id']),
        categories: (await db.all("SELECT DISTINCT trim(split_part(category_path, '>', 1)) AS c FROM products WHERE coalesce(category_path, '') <> '' ORDER BY 1")).map((r) => r['c']),
        reports: REPORTS,
        presets: Object.keys(PRESETS),
        entities: ENTITY_NAMES,
        dimensions: DIMENSIONS,
      };
    }),
  );

  const reportQuery = {
    type: 'object',
    properties: {
      as_of: { type: 'string', format: 'date' },
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      period: { type: 'string', enum: ['week', 'month'] },
      by: { type: 'string', enum: [...DIMENSIONS] },
      window_days: { type: 'integer', minimum: 1 },
      second_purchase_days: { type: 'integer', minimum: 1 },
    },
    additionalProperties: false,
  } as const;
  app.get<{ Params: { report: string }; Querystring: { as_of?: string; from?: string; to?: string; period?: 'week' | 'month'; by?: (typeof DIMENSIONS)[number]; window_days?: number; second_purchase_days?: number } }>(
    '/api/reports/:report',
    { preHandler: need(READ), schema: { params: { type: 'object', properties: { report: { type: 'string', enum: [...REPORTS] } }, required: ['report'] }, querystring: reportQuery, response: { 200: anyObject, 400: errorSchema } } },
    async (req) => {
      const q = req.query;
      return serial(() =>
        analyze(db, clock, req.params.report as Report, {
          ...(q.as_of !== undefined ? { asOf: q.as_of } : {}),
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
          ...(q.period !== undefined ? { period: q.period } : {}),
          ...(q.by !== undefined ? { by: q.by } : {}),
          ...(q.window_days !== undefined ? { windowDays: q.window_days } : {}),
          ...(q.second_purchase_days !== undefined ? { secondPurchaseDays: q.second_purchase_days } : {}),
        }),
      );
    },
  );

  app.get<{ Querystring: { q: string; limit?: number } }>(
    '/api/members',
    { preHandler: need(READ), schema: { querystring: { type: 'object', properties: { q: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1, maximum: 200 } }, required: ['q'] }, response: { 200: anyObject } } },
    async (req) => {
      const rows = await serial(() => searchMembers(db, req.query.q, req.query.limit ?? 20));
      return { members: masked(req) ? rows.map(maskHit) : rows };
    },
  );
  app.get<{ Params: { id: string } }>('/api/members/:id', { preHandler: need(READ), schema: { response: { 200: anyObject, 404: errorSchema } } }, async (req) => {
    const view = (await serial(async () => memberView(db, await findMember(db, req.params.id)))) as unknown as Record<string, unknown>;
    return masked(req) ? maskView(view) : view;
  });

  // Ingestion: the records are written as NDJSON with the regulars preset's column names and
  // go through the same importFile as the command line (validation, natural keys, identities).
  app.post<{ Params: { entity: string }; Body: unknown }>(
    '/api/ingest/:entity',
    {
      preHandler: need(INGEST),
      schema: {
        params: { type: 'object', properties: { entity: { type: 'string', enum: [...ENTITY_NAMES] } }, required: ['entity'] },
        body: { type: 'array', items: {} },
        response: { 200: anyObject, 400: errorSchema, 413: errorSchema },
      },
    },
    async (req) => {
      const records = req.body as unknown[];
      const rejected: Array<{ index: number; field: string; reason: string; value: string }> = [];
      const lineToIndex: number[] = [];
      const lines: string[] = [];
      records.forEach((r, index) => {
        if (typeof r !== 'object' || r === null || Array.isArray(r)) rejected.push({ index, field: '', reason: 'a record is a JSON object', value: JSON.stringify(r) ?? '' });
        else {
          lineToIndex.push(index);
          lines.push(JSON.stringify(r));
        }
      });
      if (lines.length === 0) return { received: records.length, loaded: 0, duplicate: 0, rejected, import_id: null };
      const dir = mkdtempSync(join(tmpdir(), 'regulars-ingest-'));
      try {
        const file = join(dir, `${req.params.entity}.ndjson`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        const report = await serial(() => importFile(db, clock, file, { preset: 'regulars', entity: req.params.entity, rejectsDir }));
        if (report.rejects_file !== null && existsSync(report.rejects_file)) {
          const [header = [], ...rows] = parseCsv(readFileSync(report.rejects_file, 'utf8'));
          const col = (n: string): number => header.indexOf(n);
          for (const r of rows) {
            const line = Number(r[col('line')]);
            rejected.push({ index: lineToIndex[line - 1] ?? -1, field: r[col('field')] ?? '', reason: r[col('reason')] ?? '', value: r[col('value')] ?? '' });
          }
        }
        rejected.sort((a, b) => a.index - b.index);
        return { received: records.length, loaded: report.loaded + report.guest + report.return + report.non_product, duplicate: report.duplicate, rejected, import_id: report.import_id, merges: report.merges };
      } catch (err) {
        if (err instanceof FileRefused) {
          // Every record was invalid: nothing written; say why for each.
          throw new HttpError(400, 'refused', err.message);
        }
        throw err;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  app.post<{ Querystring: { preset?: string; entity?: string; filename?: string }; Body: Buffer }>(
    '/api/imports',
    {
      preHandler: need(WRITE_SETTINGS),
      bodyLimit: uploadLimit,
      schema: { querystring: { type: 'object', properties: { preset: { type: 'string' }, entity: { type: 'string' }, filename: { type: 'string' } } }, response: { 200: anyObject, 400: errorSchema } },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty', 'Send the file as the request body.');
      const name = basename(req.query.filename ?? `upload${extname(req.query.entity ?? '') || '.csv'}`).replace(/[^\w.-]/g, '_');
      const dir = mkdtempSync(join(tmpdir(), 'regulars-upload-'));
      try {
        const file = join(dir, name);
        writeFileSync(file, req.body);
        return await serial(() => importFile(db, clock, file, { preset: req.query.preset ?? 'regulars', ...(req.query.entity !== undefined && req.query.entity !== '' ? { entity: req.query.entity } : {}), rejectsDir }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
  app.get('/api/imports', { preHandler: need(READ), schema: { response: { 200: anyObject } } }, async () => ({
    imports: await serial(() =>
      db.all(
        `SELECT import_id, file, preset, entity, channel_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at,
                json_extract(report, '$.rows_read')::BIGINT AS rows_read, json_extract(report, '$.loaded')::BIGINT AS loaded,
                json_extract(report, '$.rejected')::BIGINT AS rejected, json_extract(report, '$.duplicate')::BIGINT AS duplicate
         FROM imports ORDER BY import_id DESC LIMIT 50`,
      ),
    ),
  }));
  app.get<{ Params: { id: number } }>('/api/imports/:id/rejects.csv', { preHandler: need(READ), schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async (req, reply: FastifyReply) => {
    const row = await serial(() => db.one("SELECT json_extract_string(report, '$.rejects_file') AS rejects_file FROM imports WHERE import_id = $1", [req.params.id]));
    const file = row?.['rejects_file'];
    if (typeof file !== 'string' || !existsSync(file)) throw new HttpError(404, 'not_found', `Import ${req.params.id} has no reject report.`);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejects-${req.params.id}.csv"`).send(readFileSync(file));
  });

  app.get('/api/settings', { preHandler: need(READ), schema: { response: { 200: anyObject } } }, async () => ({
    settings: (await serial(() => listSettings(db))).map((s) => ({ key: s.key, value: s.value, description: s.help })),
  }));
  app.put<{ Params: { key: string }; Body: { value: unknown } }>(
    '/api/settings/:key',
    { preHandler: need(WRITE_SETTINGS), schema: { body: { type: 'object', properties: { value: {} }, required: ['value'] }, response: { 200: anyObject, 400: errorSchema } } },
    async (req) => {
      const key = req.params.key;
      if (!isSettingKey(key)) throw new HttpError(404, 'not_found', `Unknown setting '${key}'.`);
      const problem = checkSetting(key, req.body.value);
      if (problem !== null) throw new HttpError(400, 'invalid_setting', `${key}: ${problem}`);
      await serial(() => setSetting(db, clock, key, req.body.value));
      return { key, value: req.body.value };
    },
  );

  app.get('/api/keys', { preHandler: need(ADMIN), schema: { response: { 200: anyObject } } }, async () => ({ keys: await serial(() => listKeys(db)) }));
  app.post<{ Body: { name: string; scope: string } }>(
    '/api/keys',
    { preHandler: need(ADMIN), schema: { body: { type: 'object', properties: { name: { type: 'string', minLength: 1 }, scope: { type: 'string', enum: [...SCOPES] } }, required: ['name', 'scope'] }, response: { 200: anyObject } } },
    async (req) => {
      const scope = req.body.scope;
      if (!isScope(scope)) throw new HttpError(400, 'invalid_scope', `scope is one of ${SCOPES.join(', ')}`);
      return serial(() => createKey(db, clock, scope, req.body.name));
    },
  );
  app.delete<{ Params: { id: string } }>('/api/keys/:id', { preHandler: need(ADMIN), schema: { response: { 200: anyObject, 404: errorSchema } } }, async (req) => {
    if (!(await serial(() => revokeKey(db, clock, req.params.id)))) throw new HttpError(404, 'not_found', `No active key ${req.params.id}.`);
    return { key_id: req.params.id, revoked: true };
  });

  // The console: static files, with index.html for every other path (a single-page app).
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json' };
  app.get('/vendor/echarts.min.js', { schema: { hide: true } }, async (_req, reply) => reply.header('content-type', types['.js'] ?? '').header('cache-control', 'public, max-age=86400').send(readFileSync(echarts)));
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').replace(/^\/+/, '');
    if (path.startsWith('api/')) throw new HttpError(404, 'not_found', `No route ${req.method} ${req.url}.`);
    const target = resolve(webDir, path === '' ? 'index.html' : path);
    const file = target.startsWith(resolve(webDir)) && existsSync(target) && !target.endsWith('/') && extname(target) !== '' ? target : join(webDir, 'index.html');
    if (!existsSync(file)) return reply.header('content-type', types['.html'] ?? '').send('<!doctype html><title>Regulars</title><p>The console is not built: run <code>npm run build</code>. The API is at <a href="/api/docs">/api/docs</a>.</p>');
    return reply.header('content-type', types[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
  });
  return app;
}
