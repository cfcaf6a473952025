/** Customer models over HTTP: fits, one member's predictions, validation, scoring, scores as CSV. */
import type { FastifyInstance } from 'fastify';
import { findMember } from '../members/index.js';
import { defaultScoreSettings, exportScoresCsv, fitModel, lastOccasionDay, listFits, ModelError, predictMember, scoreMembers, scoresSummary, validateModel, type Period } from '../models/index.js';
import { ModelScoresSummarySchema } from '../contracts/index.js';
import { anyObject, authErrors, dateSchema, errorSchema, HttpError, OPERATE, READ, type Ctx } from './context.js';

const period = { type: 'string', enum: ['week', 'day'] } as const;
const purchaseModel = { type: 'string', enum: ['bgnbd', 'paretonbd'] } as const;

/** Runs a models call, answering its expected failures with 400 invalid_model_request. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ModelError) throw new HttpError(400, 'invalid_model_request', err.message);
    throw err;
  }
}

/** Registers the /api/models routes. */
export function modelRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, clock, serial, need } = ctx;

  app.get(
    '/api/models/fits',
    {
      preHandler: need(READ),
      schema: { summary: 'Stored model fits, latest calibration end first', response: { 200: { type: 'object', properties: { fits: { type: 'array', items: anyObject } } }, ...authErrors } },
    },
    async () => ({
      fits: await serial(() => listFits(db)),
    }),
  );

  app.post<{ Body: { model: 'bgnbd' | 'paretonbd' | 'gammagamma'; calibration_end: string; period?: Period } }>(
    '/api/models/fits',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Fit a model on the occasions up to the calibration end and store it (as `regulars models fit`)',
        body: { type: 'object', properties: { model: { type: 'string', enum: ['bgnbd', 'paretonbd', 'gammagamma'] }, calibration_end: dateSchema, period }, required: ['model', 'calibration_end'] },
        response: { 201: anyObject, 400: errorSchema, ...authErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await serial(() => guarded(() => fitModel(db, clock, req.body.model, req.body.calibration_end, req.body.period ?? 'week')))),
  );

  app.get<{ Params: { id: string }; Querystring: { calibration_end: string; horizon: number; period?: Period; model?: 'bgnbd' | 'paretonbd' } }>(
    '/api/models/members/:id',
    {
      preHandler: need(READ),
      schema: {
        summary: "One member's P(alive), expected purchases and spend from the stored fit (as `regulars models predict`)",
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: { calibration_end: dateSchema, horizon: { type: 'number', exclusiveMinimum: 0 }, period, model: purchaseModel },
          required: ['calibration_end', 'horizon'],
        },
        response: { 200: anyObject, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) =>
      serial(() =>
        guarded(async () =>
          predictMember(db, clock, await findMember(db, req.params.id), {
            calibrationEnd: req.query.calibration_end,
            horizon: req.query.horizon,
            period: req.query.period ?? 'week',
            model: req.query.model ?? 'bgnbd',
          }),
        ),
      ),
  );

  app.get<{ Querystring: { model?: 'bgnbd' | 'paretonbd'; calibration_end: string; holdout_end?: string; period?: Period } }>(
    '/api/models/validation',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Holdout validation: weekly tracking, conditional expectations, verdict (as `regulars models validate`)',
        querystring: { type: 'object', properties: { model: purchaseModel, calibration_end: dateSchema, holdout_end: dateSchema, period }, required: ['calibration_end'] },
        response: { 200: anyObject, 400: errorSchema, ...authErrors },
      },
    },
    async (req) =>
      serial(() =>
        guarded(() =>
          validateModel(db, clock, {
            model: req.query.model ?? 'bgnbd',
            calibrationEnd: req.query.calibration_end,
            period: req.query.period ?? 'week',
            ...(req.query.holdout_end !== undefined ? { holdoutEnd: req.query.holdout_end } : {}),
          }),
        ),
      ),
  );

  app.post<{ Body: { calibration_end?: string; model?: 'bgnbd' | 'paretonbd'; period?: Period; horizon?: number; clv_horizon?: number; discount_rate?: number; margin?: number } }>(
    '/api/models/scores',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Score every member and store the scores (as `regulars models score`)',
        body: {
          type: 'object',
          properties: {
            calibration_end: dateSchema,
            model: purchaseModel,
            period,
            horizon: { type: 'number', exclusiveMinimum: 0 },
            clv_horizon: { type: 'integer', minimum: 1 },
            discount_rate: { type: 'number', minimum: 0 },
            margin: { type: 'number', exclusiveMinimum: 0 },
          },
        },
        response: { 201: anyObject, 400: errorSchema, ...authErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await serial(() =>
          guarded(async () => {
            const b = req.body;
            const end = b.calibration_end ?? (await lastOccasionDay(db));
            if (end === null) throw new ModelError('no purchase occasions to score');
            const s = defaultScoreSettings(end, b.period ?? 'week', b.model ?? 'bgnbd');
            if (b.horizon !== undefined) s.horizon = b.horizon;
            if (b.clv_horizon !== undefined) s.clvHorizon = b.clv_horizon;
            if (b.discount_rate !== undefined) s.annualDiscountRate = b.discount_rate;
            if (b.margin !== undefined) s.marginRate = b.margin;
            return scoreMembers(db, clock, s);
          }),
        ),
      ),
  );

  app.get(
    '/api/models/scores/summary',
    {
      preHandler: need(READ),
      schema: {
        summary: 'The latest scoring run: members per churn-risk band, P(alive) by tenths, CLV by decile (run null: nobody scored yet)',
        response: { 200: ModelScoresSummarySchema, ...authErrors },
      },
    },
    async () => serial(() => scoresSummary(db)),
  );

  app.get('/api/models/scores.csv', { preHandler: need(OPERATE), schema: { summary: 'The latest scores, one row per member (CSV)', response: { ...authErrors } } }, async (_req, reply) =>
    reply.type('text/csv; charset=utf-8').send(await serial(() => exportScoresCsv(db))),
  );
}
