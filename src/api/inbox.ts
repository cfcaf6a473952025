/**
 * POST /api/ingest/{entity}: records go to the inbox of the operational store inside the request's
 * transaction and are answered at once with their state; a loader moves them into the member base
 * (the default server runs it every few seconds). GET /api/ingest/{entity}/{key...} tells one
 * record's state. `?mode=sync` keeps the earlier answer (imported before answering).
 */
import type { FastifyInstance } from 'fastify';
import { ENTITY_NAMES, isEntity } from '../ingest/index.js';
import { inboxStatus, INBOX_KEYS, receive, recordState } from '../inbox/index.js';
import { authErrors, errorSchema, HttpError, INGEST, READ, type OpCtx } from './context.js';
import { ingestAnswer, syncIngest } from './ingest.js';

const change = { type: 'object', properties: { field: { type: 'string' }, from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } } } as const;
const conflictField = { type: 'object', properties: { field: { type: 'string' }, stored: { type: ['string', 'null'] }, incoming: { type: ['string', 'null'] } } } as const;
const receipt = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    state: { type: 'string', enum: ['pending', 'duplicate', 'updated', 'conflict', 'rejected'] },
    record_id: { type: 'integer' },
    key: { type: 'array', items: { type: 'string' } },
    stored_state: { type: 'string' },
    changes: { type: 'array', items: change },
    fields: { type: 'array', items: conflictField },
    field: { type: 'string' },
    reason: { type: 'string' },
    value: { type: 'string' },
  },
  required: ['index', 'state'],
} as const;
const inboxAnswer = {
  type: 'object',
  properties: {
    received: { type: 'integer' },
    pending: { type: 'integer' },
    duplicate: { type: 'integer' },
    updated: { type: 'integer' },
    conflict: { type: 'integer' },
    rejected: { type: 'integer' },
    ignored_fields: { type: 'array', items: { type: 'string' } },
    records: { type: 'array', items: receipt },
  },
} as const;

export function inboxRoutes(app: FastifyInstance, ctx: OpCtx): void {
  const { ops, clock, need } = ctx;

  app.post<{ Params: { entity: string }; Querystring: { mode?: string }; Body: unknown }>(
    '/api/ingest/:entity',
    {
      preHandler: need(INGEST),
      schema: {
        summary: 'Send records (a JSON object, a JSON array, or NDJSON) of one entity',
        description:
          'Each record is stored in the inbox at once and answered with its state: pending (new; loaded into the member base within seconds), duplicate (same key, same content), updated (an order whose progress fields moved: status, payment, shipping, cancellation, refund), conflict (same key, other fields differ: nothing changes; 409 when the body was one record) or rejected (malformed). Keys per entity are listed in docs/api.md. ?mode=sync imports before answering (the earlier answer: loaded, duplicate, rejected).',
        params: { type: 'object', properties: { entity: { type: 'string', enum: [...ENTITY_NAMES] } }, required: ['entity'] },
        querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['inbox', 'sync'] } } },
        response: { 200: { oneOf: [inboxAnswer, ingestAnswer] }, 400: errorSchema, 409: inboxAnswer, 413: errorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const entity = req.params.entity;
      if (!isEntity(entity)) throw new HttpError(400, 'invalid_request', `entity is one of ${ENTITY_NAMES.join(', ')}`);
      const single = !Array.isArray(req.body);
      const records: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
      if (req.query.mode === 'sync') {
        if (ctx.analytical === null)
          throw new HttpError(
            400,
            'needs_analytical_store',
            'mode=sync imports before answering and needs the analytical store; this server runs with --role api: send without mode=sync (the inbox).',
          );
        return syncIngest({ ...ctx, db: ctx.analytical.db, serial: ctx.analytical.serial }, entity, records);
      }
      const { receipts, ignored_fields } = await receive(ops, clock, entity, records, req.key === undefined ? 'api' : `key:${req.key.key_id}`);
      const count = (s: string): number => receipts.filter((r) => r.state === s).length;
      const answer = {
        received: records.length,
        pending: count('pending'),
        duplicate: count('duplicate'),
        updated: count('updated'),
        conflict: count('conflict'),
        rejected: count('rejected'),
        ignored_fields,
        records: receipts,
      };
      if (single && answer.conflict === 1) return reply.status(409).send(answer);
      return answer;
    },
  );

  app.get<{ Params: { entity: string; '*': string } }>(
    '/api/ingest/:entity/*',
    {
      preHandler: need(INGEST),
      schema: {
        summary: "One record's state in the inbox: pending, loaded, or rejected with the reason",
        description: 'The key parts follow the entity, each URL-encoded, in the order of docs/api.md (orders: /api/ingest/orders/{channel}/{order_id}).',
        params: { type: 'object', properties: { entity: { type: 'string', enum: [...ENTITY_NAMES] }, '*': { type: 'string' } }, required: ['entity'] },
        response: { 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const entity = req.params.entity;
      if (!isEntity(entity)) throw new HttpError(400, 'invalid_request', `entity is one of ${ENTITY_NAMES.join(', ')}`);
      const parts = req.params['*'].split('/').map((p) => decodeURIComponent(p));
      const want = INBOX_KEYS[entity];
      if (parts.length !== want.length) throw new HttpError(400, 'invalid_request', `a ${entity} key has ${want.length} parts (${want.join(', ')}); got ${parts.length}`);
      const state = await recordState(ops, entity, parts);
      if (state === null) throw new HttpError(404, 'not_found', `No ${entity} record with key ${parts.join(' / ')} was received.`);
      return state;
    },
  );

  app.get('/api/inbox', { preHandler: need(READ), schema: { summary: 'Records in the inbox by entity and state, and the oldest pending one', response: { ...authErrors } } }, async () =>
    inboxStatus(ops),
  );
}
