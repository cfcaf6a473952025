/** Campaigns and message channels over HTTP: create, show with the power check, launch, evaluate. */
import type { FastifyInstance } from 'fastify';
import { validateChannelConfig } from '../channels/index.js';
import { campaignOverview, createCampaign, evaluateCampaignRuns, launchCampaign, listCampaigns, listMessageChannels, runDue, setMessageChannel, storedChannels } from '../campaigns/index.js';
import { couponCostOf, couponVariables } from '../coupons/index.js';
import { ADMIN, anyObject, asOfQuery, authErrors, errorSchema, fieldErrorsSchema, HttpError, idParams, OPERATE, READ, type Ctx } from './context.js';

export function campaignRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, ops, clock, serial, need } = ctx;

  app.get(
    '/api/campaigns',
    { preHandler: need(READ), schema: { summary: 'Campaigns, newest first', response: { 200: { type: 'object', properties: { campaigns: { type: 'array', items: anyObject } } }, ...authErrors } } },
    async () => ({
      campaigns: await serial(() => listCampaigns(ops, db)),
    }),
  );

  app.post<{ Body: unknown }>(
    '/api/campaigns',
    {
      preHandler: need(OPERATE),
      schema: { summary: 'Create a draft campaign (docs/campaigns.md); errors name each JSON path', body: anyObject, response: { 201: anyObject, 400: fieldErrorsSchema, ...authErrors } },
    },
    async (req, reply) => reply.status(201).send(await createCampaign(ops, clock, req.body)),
  );

  app.get<{ Params: { id: string }; Querystring: { as_of?: string } }>(
    '/api/campaigns/:id',
    {
      preHandler: need(READ),
      schema: {
        summary: 'A campaign: definition, power check next to the holdout, runs, waves with their sends',
        params: idParams,
        querystring: asOfQuery,
        response: { 200: anyObject, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => serial(() => campaignOverview(db, ops, clock, req.params.id, req.query.as_of === undefined ? {} : { asOf: req.query.as_of })),
  );

  app.post<{ Params: { id: string }; Querystring: { as_of?: string } }>(
    '/api/campaigns/:id/launch',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Freeze the audience, assign the control group, plan the waves (again: returns the run unchanged)',
        params: idParams,
        querystring: asOfQuery,
        response: { 200: anyObject, 404: errorSchema, 409: errorSchema, ...authErrors },
      },
    },
    async (req) => serial(() => launchCampaign(db, ops, clock, req.params.id, req.query.as_of === undefined ? {} : { asOf: req.query.as_of })),
  );

  app.get<{ Params: { id: string } }>(
    '/api/campaigns/:id/evaluation',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Treatment against control per run and pooled, with intervals, increments, ROI, SRM check, delivery funnel and verdicts',
        params: idParams,
        response: { 200: anyObject, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => serial(() => evaluateCampaignRuns(db, ops, req.params.id, couponCostOf(ops))),
  );

  app.post(
    '/api/campaigns/run',
    { preHandler: need(OPERATE), schema: { summary: 'Run the scheduler once now (the server also runs it every minute)', response: { 200: anyObject, ...authErrors } } },
    async () => serial(() => runDue(db, ops, clock, storedChannels(ops), { variables: couponVariables(ops) })),
  );

  app.get(
    '/api/channels',
    {
      preHandler: need(ADMIN),
      schema: { summary: 'Message channels (secrets masked)', response: { 200: { type: 'object', properties: { channels: { type: 'array', items: anyObject } } }, ...authErrors } },
    },
    async () => ({
      channels: await listMessageChannels(ops),
    }),
  );

  app.put<{ Params: { name: string }; Body: unknown }>(
    '/api/channels/:name',
    {
      preHandler: need(ADMIN),
      schema: {
        summary: 'Store a message channel (csv, webhook, email; docs/channels.md)',
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        body: anyObject,
        response: { 200: anyObject, 400: fieldErrorsSchema, ...authErrors },
      },
    },
    async (req) => {
      const v = validateChannelConfig(req.body);
      if (!v.ok) throw new HttpError(400, 'invalid_channel', v.errors.map((e) => `${e.path} ${e.reason}`).join('; '));
      await setMessageChannel(ops, clock, req.params.name, v.config);
      return { name: req.params.name, kind: v.config.kind };
    },
  );
}
