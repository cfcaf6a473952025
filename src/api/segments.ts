/** Segments over HTTP: live count while a rule is edited, saved segments, snapshots, CSV export. */
import type { FastifyInstance } from 'fastify';
import { defaultAsOf } from '../analytics/index.js';
import {
  countSegment,
  previewSegment,
  createSegment,
  deleteSegment,
  exportSegmentCsv,
  getSegment,
  listSegments,
  type parseRule,
  segmentHistory,
  snapshotSegment,
  updateSegment,
  validateRule,
} from '../segments/index.js';
import { SegmentPreviewSchema } from '../contracts/index.js';
import { anyObject, asOfQuery, authErrors, dateSchema, errorSchema, fieldErrorsSchema, HttpError, idParams, OPERATE, READ, type Ctx } from './context.js';

const segmentBody = { type: 'object', properties: { name: { type: 'string', minLength: 1 }, rule: anyObject }, required: ['name', 'rule'] } as const;

export function segmentRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, ops, clock, serial, need } = ctx;
  const asOfOf = async (q: { as_of?: string }): Promise<string> => q.as_of ?? (await defaultAsOf(db, clock));
  /** The rule of a body, or a 400 naming every path and reason. */
  const ruleOf = (json: unknown): ReturnType<typeof parseRule> => {
    const v = validateRule(json);
    if (!v.ok) throw new HttpError(400, 'invalid_rule', v.errors.map((e) => `${e.path} ${e.reason}`).join('; '));
    return v.rule;
  };

  app.post<{ Body: unknown; Querystring: { as_of?: string } }>(
    '/api/segments/count',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Members matching a rule tree (the live count of the rule builder); the body is the rule',
        querystring: asOfQuery,
        body: anyObject,
        response: { 200: { type: 'object', properties: { as_of: { type: 'string' }, members: { type: 'integer' }, ms: { type: 'integer' } } }, 400: fieldErrorsSchema, ...authErrors },
      },
    },
    async (req) => {
      const rule = ruleOf(req.body);
      return serial(async () => {
        const asOf = await asOfOf(req.query);
        const t = performance.now();
        const members = await countSegment(db, rule, asOf);
        return { as_of: asOf, members, ms: Math.round(performance.now() - t) };
      });
    },
  );

  app.post<{ Body: unknown; Querystring: { as_of?: string; limit?: number } }>(
    '/api/segments/preview',
    {
      preHandler: need(READ),
      schema: {
        summary: 'What a rule holds: its first members, its share of the member base and its reachable members per channel; the body is the rule',
        querystring: { type: 'object', properties: { as_of: dateSchema, limit: { type: 'integer', minimum: 1, maximum: 200 } } },
        body: anyObject,
        response: { 200: SegmentPreviewSchema, 400: fieldErrorsSchema, ...authErrors },
      },
    },
    async (req) => {
      const rule = ruleOf(req.body);
      return serial(async () => previewSegment(db, rule, await asOfOf(req.query), req.query.limit ?? 50));
    },
  );

  app.get(
    '/api/segments',
    {
      preHandler: need(READ),
      schema: { summary: 'Saved segments with their latest size', response: { 200: { type: 'object', properties: { segments: { type: 'array', items: anyObject } } }, ...authErrors } },
    },
    async () => ({
      segments: await serial(() => listSegments(ops, db)),
    }),
  );

  app.post<{ Body: { name: string; rule: unknown } }>(
    '/api/segments',
    { preHandler: need(OPERATE), schema: { summary: 'Save a segment', body: segmentBody, response: { 201: anyObject, 400: fieldErrorsSchema, 409: errorSchema, ...authErrors } } },
    async (req, reply) => {
      const rule = ruleOf(req.body.rule);
      const seg = await createSegment(ops, clock, req.body.name, rule);
      return reply.status(201).send(seg);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/segments/:id',
    { preHandler: need(READ), schema: { summary: 'A segment with its rule and size history', params: idParams, response: { 200: anyObject, 404: errorSchema, ...authErrors } } },
    async (req) => serial(async () => ({ ...(await getSegment(ops, req.params.id)), history: await segmentHistory(db, ops, req.params.id) })),
  );

  app.put<{ Params: { id: string }; Body: { name: string; rule: unknown } }>(
    '/api/segments/:id',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: "Replace a segment's name and rule",
        params: idParams,
        body: segmentBody,
        response: { 200: anyObject, 400: fieldErrorsSchema, 404: errorSchema, 409: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const rule = ruleOf(req.body.rule);
      return updateSegment(ops, clock, req.params.id, req.body.name, rule);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/segments/:id',
    { preHandler: need(OPERATE), schema: { summary: 'Delete a segment and its snapshots', params: idParams, response: { 200: anyObject, 404: errorSchema, ...authErrors } } },
    async (req) => {
      if (!(await serial(() => deleteSegment(ops, db, req.params.id)))) throw new HttpError(404, 'not_found', `There is no segment ${req.params.id}.`);
      return { segment_id: req.params.id, deleted: true };
    },
  );

  app.post<{ Params: { id: string }; Querystring: { as_of?: string } }>(
    '/api/segments/:id/snapshots',
    {
      preHandler: need(OPERATE),
      schema: { summary: "Store the segment's members as of a date", params: idParams, querystring: asOfQuery, response: { 201: anyObject, 404: errorSchema, ...authErrors } },
    },
    async (req, reply) => reply.status(201).send(await serial(async () => snapshotSegment(db, ops, clock, req.params.id, await asOfOf(req.query)))),
  );

  app.get<{ Params: { id: string }; Querystring: { as_of?: string } }>(
    '/api/segments/:id/members.csv',
    { preHandler: need(READ), schema: { summary: 'Members of the latest snapshot as CSV (member_id, name, phone, email)', params: idParams, querystring: asOfQuery } },
    async (req, reply) => {
      if (req.key?.scope === 'analyst') throw new HttpError(403, 'forbidden', 'The member list carries phones and emails; it needs an operator or admin key.');
      const csv = await serial(async () => exportSegmentCsv(db, ops, clock, req.params.id, await asOfOf(req.query)));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="segment-${req.params.id}.csv"`).send(csv);
    },
  );
}
