/**
 * The HTTP API: a thin Fastify shell over the same core the CLI uses. Route schemas validate
 * requests and generate the OpenAPI document. Operational routes (keys, settings, the ingestion
 * inbox, loyalty) use the operational store, which takes concurrent writers; analytical routes
 * (reports, members, segments, campaigns, uploads) use the analytical store's one connection,
 * through one queue so writes never interleave. A server started with `--role api` has only the
 * operational store and routes (docs/deployment.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { config } from '../core/config.js';
import { AnalysisError } from '../analytics/index.js';
import { SegmentError } from '../segments/index.js';
import { MemberLookupError } from '../members/index.js';
import { UnmergeError } from '../identity/index.js';
import { FileRefused } from '../ingest/index.js';
import { HttpError, need, queue, type Ctx, type OpCtx, type Serial } from './context.js';
import type { OpStore } from '../ops/index.js';
import { mirrorSettings, settingsSignature } from '../core/settings/operational.js';
import { unsafeNumber } from './json-body.js';
import { inboxRoutes } from './inbox.js';
import { loyaltyRoutes } from './loyalty.js';
import { startWorkers, type WorkerOptions } from './workers.js';
import { verifyKey } from './keys.js';
import { localizeError, prefersChinese } from './errors-i18n.js';
import { readRoutes } from './reads.js';
import { ingestRoutes } from './ingest.js';
import { adminRoutes } from './admin.js';
import { segmentRoutes } from './segments.js';
import { modelRoutes } from './models.js';
import { campaignRoutes } from './campaigns.js';
import { productRoutes } from './products.js';
import { experimentRoutes } from './experiments.js';
import { couponRoutes } from './coupons.js';
import { CampaignError } from '../campaigns/index.js';
import { staticRoutes } from './static-files.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  /** The operational store (always). */
  ops: OpStore;
  /** The analytical store; absent for a server of role api (operational routes only). */
  db?: Db;
  clock: Clock;
  /** Largest JSON/NDJSON body in bytes (default: REGULARS_API_BODY_LIMIT, else 10 MB). */
  bodyLimit?: number;
  /** Largest uploaded import file in bytes (default 1 GB). */
  uploadLimit?: number;
  /** Where reject reports of API imports go (default: ./rejects). */
  rejectsDir?: string;
  /** The built console (default: dist/web of this package). */
  webDir?: string;
  logger?: boolean;
  /** Where 5xx errors are reported with their cause (default: one line and the stack on stderr). */
  onServerError?: (message: string, err: unknown) => void;
  /** Background workers (scheduler, inbox loader) of a server with the analytical store; absent: none. */
  workers?: WorkerOptions;
  /** A read (GET) that holds the analytical store longer than this is stopped and answered 503 (default: REGULARS_READ_TIMEOUT_SECONDS, 120 s). */
  readTimeoutMs?: number;
}

/** Whether the request being served is a read; the analytical queue gives reads a time limit. */
const requestKind = new AsyncLocalStorage<{ read: boolean }>();

/**
 * The analytical queue: each job first brings the settings mirror up to date when a setting
 * changed. A read that runs past the time limit is interrupted (again every few milliseconds, so
 * a report of many statements stops at its next one) and answered 503; writes are never cut.
 */
function analyticalQueue(db: Db, ops: OpStore, readTimeoutMs: number): Serial {
  const base = queue();
  let mirrored = '';
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const read = requestKind.getStore()?.read === true;
    return base(async () => {
      const now = await settingsSignature(ops);
      if (now !== mirrored) {
        await mirrorSettings(ops, db);
        mirrored = now;
      }
      if (!read) return fn();
      let stopping: NodeJS.Timeout | undefined;
      const limit = setTimeout(() => {
        db.interrupt();
        stopping = setInterval(() => db.interrupt(), 5);
      }, readTimeoutMs);
      try {
        return await fn();
      } catch (err) {
        if (stopping !== undefined)
          throw new HttpError(
            503,
            'read_timeout',
            `The read took longer than ${readTimeoutMs / 1000} s and was stopped: narrow it (a shorter period, one segment) or raise REGULARS_READ_TIMEOUT_SECONDS.`,
          );
        throw err;
      } finally {
        clearTimeout(limit);
        if (stopping !== undefined) clearInterval(stopping);
      }
    });
  };
}

/** Paths served without a key: health, the OpenAPI document and its page, the console's files. */
const isOpen = (path: string): boolean => path === '/api/health' || path === '/api/openapi.json' || path === '/api/docs' || path.startsWith('/api/docs/') || !path.startsWith('/api/');

function presentedKey(headers: Record<string, string | string[] | undefined>): string {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : '';
}

/** Builds the app without listening (tests use app.inject); serve() listens. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { db, ops, clock } = opts;
  const bodyLimit = opts.bodyLimit ?? config().bodyLimit;
  const serverError = opts.onServerError ?? ((message: string, err: unknown) => process.stderr.write(`regulars: ${message}\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  const analytical = db === undefined ? null : { db, serial: analyticalQueue(db, ops, opts.readTimeoutMs ?? config().readTimeoutSeconds * 1000) };
  const opCtx: OpCtx = {
    ops,
    clock,
    analytical,
    need,
    rejectsDir: opts.rejectsDir ?? resolve('rejects'),
    bodyLimit,
    uploadLimit: opts.uploadLimit ?? 1024 * 1024 * 1024,
  };
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit, ajv: { customOptions: { coerceTypes: true, removeAdditional: false } } });

  // Numbers a double cannot hold are refused before JSON.parse rounds them (json-body.ts).
  const refuseUnsafe = (text: string, where: string): HttpError | null => {
    const bad = unsafeNumber(text);
    if (bad === null) return null;
    const field = bad.key === '' ? 'a value' : `field ${bad.key}`;
    return new HttpError(400, 'unsafe_number', `${where}${field}: ${bad.value} is a JSON number that would be read as ${String(Number(bad.value))}; send it as a string ("${bad.value}").`);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    const bad = refuseUnsafe(text, '');
    if (bad !== null) return done(bad, undefined);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new HttpError(400, 'bad_json', `The body is not JSON: ${e instanceof Error ? e.message : String(e)}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => {
    const records: unknown[] = [];
    for (const [i, line] of String(body).split(/\r?\n/).entries()) {
      if (line.trim() === '') continue;
      const bad = refuseUnsafe(line, `Line ${i + 1}: `);
      if (bad !== null) {
        done(bad, undefined);
        return;
      }
      try {
        records.push(JSON.parse(line));
      } catch {
        done(new HttpError(400, 'bad_ndjson', `Line ${i + 1} of the NDJSON body is not JSON.`), undefined);
        return;
      }
    }
    done(null, records);
  });

  // One table from failures to answers: { error, message } with the status.
  app.setErrorHandler((err: FastifyError | HttpError | Error, req, reply) => {
    const send = (status: number, error: string, message: string) => reply.status(status).send({ error, message });
    if (err instanceof HttpError) return send(err.status, err.code, err.message);
    if (err instanceof AnalysisError) return send(400, 'bad_request', err.message);
    if (err instanceof FileRefused) return send(400, 'refused', err.message);
    if (err instanceof MemberLookupError) return send(404, 'not_found', err.message);
    if (err instanceof UnmergeError) return send(400, 'bad_request', err.message);
    if (err instanceof SegmentError) {
      if (err.message.startsWith('no segment')) return send(404, 'not_found', err.message);
      if (err.message.includes('already exists')) return send(409, 'name_taken', err.message);
      return reply.status(400).send({ error: 'invalid_segment', message: err.message, errors: err.errors });
    }
    if (err instanceof CampaignError) {
      const status = err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : 400;
      return reply.status(status).send({ error: err.code === 'invalid' ? 'invalid_campaign' : err.code, message: err.message, errors: err.errors });
    }
    const fe: Partial<FastifyError> = err;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
      const limit = req.routeOptions.bodyLimit ?? bodyLimit;
      return send(413, 'payload_too_large', `The body is larger than the limit of ${limit} bytes; send it in smaller batches.`);
    }
    if (fe.validation !== undefined) return send(400, 'invalid_request', err.message);
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(415, 'unsupported_media_type', 'Send application/json or application/x-ndjson.');
    if (fe.statusCode !== undefined && fe.statusCode < 500) return send(fe.statusCode, 'bad_request', err.message);
    serverError(`500 ${req.method} ${req.url.split('?')[0] ?? ''}: ${err.message}`, err);
    return send(500, 'internal', 'An unexpected error; the server log has the details.');
  });
  // Error bodies in the caller's language (Accept-Language).
  app.addHook('preSerialization', async (req, _reply, payload: unknown) => {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || !('error' in payload) || !('message' in payload)) return payload;
    return prefersChinese(req.headers['accept-language']) ? localizeError({ ...payload }) : payload;
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not_found', message: `There is no route ${req.method} ${req.url.split('?')[0] ?? ''}.` }));

  await app.register(swagger, {
    openapi: {
      info: { title: 'Regulars API', version: VERSION, description: 'Member CRM: ingestion, analysis reports, member search and profiles, settings and keys. docs/api.md has the guide.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  // Runs the rest of the request inside its context, so the analytical queue knows a read. A
  // process without the analytical store has no such queue, and skips the context (it costs a
  // hook on every promise of the process).
  if (analytical !== null)
    app.addHook('onRequest', (req, _reply, done) => {
      requestKind.run({ read: req.method === 'GET' }, done);
    });
  app.addHook('onRequest', async (req) => {
    if (isOpen(req.url.split('?')[0] ?? '')) return;
    const presented = presentedKey(req.headers);
    if (presented === '') throw new HttpError(401, 'unauthorized', 'An API key is required: send Authorization: Bearer <key> (create one with regulars keys create).');
    const key = await verifyKey(ops, clock, presented);
    if (key === null) throw new HttpError(401, 'unauthorized', 'The API key is not valid or has been revoked.');
    req.key = key;
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness and version (no key needed)',
        security: [],
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, version: { type: 'string' } } } },
      },
    },
    async () => ({ ok: true, version: VERSION }),
  );
  adminRoutes(app, opCtx);
  inboxRoutes(app, opCtx);
  loyaltyRoutes(app, opCtx);
  couponRoutes(app, opCtx);
  if (analytical !== null) {
    const ctx: Ctx = { ...opCtx, db: analytical.db, serial: analytical.serial };
    readRoutes(app, ctx);
    ingestRoutes(app, ctx);
    segmentRoutes(app, ctx);
    modelRoutes(app, ctx);
    campaignRoutes(app, ctx);
    experimentRoutes(app, ctx);
    productRoutes(app, ctx);
    if (opts.workers !== undefined) {
      const stop = await startWorkers(analytical.db, ops, clock, analytical.serial, opCtx.rejectsDir, opts.workers);
      app.addHook('onClose', stop);
    }
  }
  staticRoutes(app, opts.webDir ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web'));
  return app;
}
