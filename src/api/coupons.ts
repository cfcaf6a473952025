/**
 * Coupons over HTTP. Tills (`pos` scope): validate, reserve, redeem, release, return, a member's
 * coupons, issue one coupon. Operators: templates, batches with their reports, issue jobs to a
 * segment or a campaign's treatment group (on a server with the analytical store). Every change
 * takes an idempotency key (`Idempotency-Key` header or `key` in the body).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  batchReports,
  couponAnalytics,
  CouponAnalytics,
  publishCoupons,
  cancelExchange,
  createBatch,
  Exchange,
  ExchangeCancel,
  exchangeForPoints,
  grantAllowances,
  createTemplate,
  CouponView,
  failureMessage,
  getJob,
  issueCoupon,
  issueToCampaign,
  issueToSegment,
  listTemplates,
  memberCoupons,
  parseBasket,
  Redemption,
  redeem,
  Release,
  release,
  Reservation,
  reserve,
  returnOrder,
  ReturnResult,
  sweepLapsed,
  templateSummaries,
  toJson,
  validateCodes,
  type BatchCodes,
  type CouponFailure,
  type Result,
} from '../coupons/index.js';
import { CouponTemplatesSummarySchema } from '../contracts/index.js';
import { anyObject, authErrors, errorSchema, HttpError, OPERATE, POS, READ, type OpCtx } from './context.js';

/** One table from refusals to HTTP statuses. */
const STATUS: Record<CouponFailure['type'], number> = {
  invalid_request: 400,
  unknown_template: 404,
  unknown_batch: 404,
  unknown_code: 404,
  unknown_reservation: 404,
  nothing_to_return: 404,
  idempotency_conflict: 409,
  coupon_reserved: 409,
  coupon_redeemed: 409,
  coupon_void: 409,
  reservation_lapsed: 409,
  codes_taken: 409,
  not_your_coupon: 422,
  not_applicable: 422,
  budget_exhausted: 422,
  member_limit_reached: 422,
  codes_exhausted: 422,
  code_space_too_small: 422,
  unknown_coupon: 404,
  not_for_points: 422,
  no_allowance: 422,
  not_bought_with_points: 422,
  coupon_expired: 409,
  insufficient_points: 422,
  points_refused: 422,
};

const refusal = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, detail: { type: 'object', additionalProperties: true } },
  required: ['error', 'message'],
} as const;
const refusals = { 400: refusal, 404: refusal, 409: refusal, 422: refusal, ...authErrors } as const;
const Basket = Type.Object(
  {
    lines: Type.Array(
      Type.Object({
        sku: Type.String(),
        quantity: Type.Integer({ minimum: 1 }),
        unit_price: Type.String({ description: 'decimal string' }),
        category: Type.Optional(Type.String()),
        brand: Type.Optional(Type.String()),
      }),
    ),
    shipping: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
    store: Type.Optional(Type.String()),
  },
  { description: 'prices are decimal strings, never JSON numbers' },
);
const Key = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'idempotency key (or the Idempotency-Key header)' }));
const Codes = Type.Array(Type.String(), { minItems: 1 });
const CodeCheck = Type.Object({
  code: Type.String(),
  applicable: Type.Boolean(),
  kind: Type.Optional(Type.String()),
  discount: Type.Optional(Type.String()),
  reason: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
const ValidationSchema = Type.Object({ coupons: Type.Array(CodeCheck), total_discount: Type.String(), basket_value: Type.String(), to_pay: Type.String() });

/** Sends the value (status ok) or the refusal with its status. */
function answer<T>(reply: FastifyReply, r: Result<T>, ok = 200): FastifyReply {
  if (r.ok) return reply.status(ok).send(r.value);
  return reply.status(STATUS[r.error.type]).send({ error: r.error.type, message: failureMessage(r.error), detail: toJson(r.error) });
}

function keyOf(req: FastifyRequest, body: { key?: string | undefined }): string {
  const h = req.headers['idempotency-key'];
  const k = typeof h === 'string' && h !== '' ? h : body.key;
  if (k === undefined || k === '') throw new HttpError(400, 'invalid_request', 'An idempotency key is required: the Idempotency-Key header or "key" in the body.');
  return k;
}

function basketOf(json: unknown) {
  const b = parseBasket(json);
  if (!b.ok) throw new HttpError(400, 'invalid_request', `Invalid basket: ${b.errors.map((e) => `${e.path} ${e.reason}`).join('; ')}`);
  return b.basket;
}

const actor = (req: FastifyRequest): string => `key:${req.key?.key_id ?? 'none'}`;

/** Registers the coupon routes, and sweeps lapsed reservations every minute while the server runs. */
export function couponRoutes(app: FastifyInstance, ctx: OpCtx): void {
  const { ops, clock, need } = ctx;
  const timer = setInterval(() => void sweepLapsed(ops, clock).catch(() => undefined), 60_000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.post<{ Body: { member_id: string; codes: string[]; basket: unknown } }>(
    '/api/coupons/validate',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Which discount each code gives on this basket, in the order they apply, or why not (changes nothing)',
        body: Type.Object({ member_id: Type.String(), codes: Codes, basket: Basket }),
        response: { 200: ValidationSchema, ...refusals },
      },
    },
    async (req) => toJson(await validateCodes(ops, clock, { member_id: req.body.member_id, codes: req.body.codes, basket: basketOf(req.body.basket) })),
  );

  app.post<{ Body: { key?: string; member_id: string; codes: string[]; basket: unknown; ttl_seconds?: number } }>(
    '/api/coupons/reservations',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Reserve codes for a basket: all apply or none is reserved; the budget is taken; lapses after ttl_seconds (default 900)',
        body: Type.Object({ key: Key, member_id: Type.String(), codes: Codes, basket: Basket, ttl_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })) }),
        response: { 201: Reservation, ...refusals },
      },
    },
    async (req, reply) =>
      answer(
        reply,
        await reserve(
          ops,
          clock,
          {
            key: keyOf(req, req.body),
            member_id: req.body.member_id,
            codes: req.body.codes,
            basket: basketOf(req.body.basket),
            ...(req.body.ttl_seconds === undefined ? {} : { ttl_seconds: req.body.ttl_seconds }),
          },
          actor(req),
        ),
        201,
      ),
  );

  app.post<{ Params: { id: string }; Body: { key?: string; order_id: string } }>(
    '/api/coupons/reservations/:id/redeem',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Redeem (核销) a live reservation for a paid order',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ key: Key, order_id: Type.String({ minLength: 1 }) }),
        response: { 200: Redemption, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await redeem(ops, clock, { key: keyOf(req, req.body), reservation_id: req.params.id, order_id: req.body.order_id }, actor(req))),
  );

  app.post<{ Params: { id: string }; Body: { key?: string } }>(
    '/api/coupons/reservations/:id/release',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Release a reservation: the coupons are usable again, the budget is given back',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ key: Key }),
        response: { 200: Release, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await release(ops, clock, { key: keyOf(req, req.body ?? {}), reservation_id: req.params.id }, actor(req))),
  );

  app.post<{ Body: { key?: string; order_id: string; whole: boolean } }>(
    '/api/coupons/returns',
    {
      preHandler: need(POS),
      schema: {
        summary: 'An order came back: whole re-issues its coupons while valid (void after); partial keeps them redeemed',
        body: Type.Object({ key: Key, order_id: Type.String({ minLength: 1 }), whole: Type.Boolean() }),
        response: { 200: ReturnResult, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await returnOrder(ops, clock, { key: keyOf(req, req.body), order_id: req.body.order_id, whole: req.body.whole }, actor(req))),
  );

  app.get<{ Params: { member_id: string } }>(
    '/api/coupons/members/:member_id',
    {
      preHandler: need(POS),
      schema: {
        summary: "A member's coupons, newest first (expired shown as expired)",
        params: Type.Object({ member_id: Type.String() }),
        response: { 200: Type.Object({ coupons: Type.Array(CouponView) }), ...authErrors },
      },
    },
    async (req) => ({ coupons: await memberCoupons(ops, clock, req.params.member_id) }),
  );

  app.post<{ Body: { key?: string; batch_id: string; member_id: string } }>(
    '/api/coupons/issue',
    {
      preHandler: need(POS),
      schema: { summary: 'Issue one coupon of a batch to a member', body: Type.Object({ key: Key, batch_id: Type.String(), member_id: Type.String() }), response: { 201: CouponView, ...refusals } },
    },
    async (req, reply) => answer(reply, await issueCoupon(ops, clock, { key: keyOf(req, req.body), batch_id: req.body.batch_id, member_id: req.body.member_id }, actor(req)), 201),
  );

  app.post<{ Body: { key?: string; batch_id: string; member_id: string } }>(
    '/api/coupons/exchanges',
    {
      preHandler: need(POS),
      schema: {
        summary: "Exchange a member's points for one coupon of a batch whose template has a price in points: one transaction spends (oldest expiry first) and issues",
        body: Type.Object({ key: Key, batch_id: Type.String(), member_id: Type.String() }),
        response: { 201: Exchange, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await exchangeForPoints(ops, clock, { key: keyOf(req, req.body), batch_id: req.body.batch_id, member_id: req.body.member_id }, actor(req)), 201),
  );

  app.post<{ Params: { coupon_id: number }; Body: { key?: string } }>(
    '/api/coupons/exchanges/:coupon_id/cancel',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Cancel a coupon bought with points while unused and valid: void, and its points back on the same lots, once',
        params: Type.Object({ coupon_id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ key: Key }),
        response: { 200: ExchangeCancel, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await cancelExchange(ops, clock, { key: keyOf(req, req.body ?? {}), coupon_id: req.params.coupon_id }, actor(req))),
  );

  app.post<{ Body: { batch_id: string } }>(
    '/api/coupons/allowances',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: "Grant this month's tier allowance of the batch's template to every member of its tiers not yet granted (a rerun grants nothing twice)",
        body: Type.Object({ batch_id: Type.String() }),
        response: { 200: anyObject, ...refusals },
      },
    },
    async (req, reply) => answer(reply, await grantAllowances(ops, clock, { batch_id: req.body.batch_id }, actor(req))),
  );

  app.get(
    '/api/coupons/templates',
    {
      preHandler: need(OPERATE),
      schema: { summary: 'Coupon templates, newest first', response: { 200: Type.Object({ templates: Type.Array(Type.Object({}, { additionalProperties: true })) }), ...authErrors } },
    },
    async () => ({ templates: await listTemplates(ops) }),
  );

  app.get(
    '/api/coupons/templates/summary',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Templates with their coupons by state, discount value redeemed, redemption rate and the total budget left',
        response: { 200: CouponTemplatesSummarySchema, ...authErrors },
      },
    },
    async () => ({ templates: await templateSummaries(ops, clock) }),
  );

  app.post<{ Body: unknown }>(
    '/api/coupons/templates',
    { preHandler: need(OPERATE), schema: { summary: 'Create a template (docs/coupons.md); errors name each JSON path', body: anyObject, response: { 201: anyObject, ...refusals } } },
    async (req, reply) => {
      const r = await createTemplate(ops, clock, req.body, actor(req));
      return answer(reply, r.ok ? { ok: true, value: { template_id: r.value.template_id, definition: r.value.definition, created_at: r.value.created_at } } : r, 201);
    },
  );

  app.get<{ Querystring: { template_id?: string; campaign_id?: string } }>(
    '/api/coupons/batches',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Batches with coupons by state, discount value redeemed and redemption rate',
        querystring: Type.Object({ template_id: Type.Optional(Type.String()), campaign_id: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ batches: Type.Array(Type.Object({}, { additionalProperties: true })) }), ...authErrors },
      },
    },
    async (req) => ({
      batches: await batchReports(ops, clock, {
        ...(req.query.template_id === undefined ? {} : { template_id: req.query.template_id }),
        ...(req.query.campaign_id === undefined ? {} : { campaign_id: req.query.campaign_id }),
      }),
    }),
  );

  app.post<{ Body: { template_id: string; shared?: string; generate?: number; pattern?: string; charset?: string; prefix?: string; imported?: string[]; campaign_id?: string } }>(
    '/api/coupons/batches',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Create a batch: one shared code, N generated unique codes (pattern, charset, prefix), or imported codes',
        body: Type.Object({
          template_id: Type.String(),
          shared: Type.Optional(Type.String()),
          generate: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
          pattern: Type.Optional(Type.String()),
          charset: Type.Optional(Type.String()),
          prefix: Type.Optional(Type.String()),
          imported: Type.Optional(Type.Array(Type.String())),
          campaign_id: Type.Optional(Type.String()),
        }),
        response: { 201: anyObject, ...refusals },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const given = [b.shared, b.generate, b.imported].filter((x) => x !== undefined).length;
      if (given !== 1) throw new HttpError(400, 'invalid_request', 'Give exactly one of shared, generate, imported.');
      const spec = { ...(b.pattern === undefined ? {} : { pattern: b.pattern }), ...(b.charset === undefined ? {} : { charset: b.charset }), ...(b.prefix === undefined ? {} : { prefix: b.prefix }) };
      const codes: BatchCodes = b.shared !== undefined ? { shared: b.shared } : b.imported !== undefined ? { imported: b.imported } : { generate: b.generate ?? 0, spec };
      return answer(reply, await createBatch(ops, clock, { template_id: b.template_id, codes, ...(b.campaign_id === undefined ? {} : { campaign_id: b.campaign_id }) }, undefined, actor(req)), 201);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/coupons/jobs/:id',
    {
      preHandler: need(OPERATE),
      schema: { summary: 'An issue job: members, issued, skipped, state', params: Type.Object({ id: Type.String() }), response: { 200: anyObject, 404: errorSchema, ...authErrors } },
    },
    async (req) => {
      const job = await getJob(ops, req.params.id);
      if (job === undefined) throw new HttpError(404, 'not_found', `There is no issue job ${req.params.id}.`);
      return job;
    },
  );

  const analytical = ctx.analytical;
  if (analytical === null) return;
  app.post<{ Body: { batch_id: string; segment_id?: string; as_of?: string; campaign_id?: string; run_id?: number; job_id?: string } }>(
    '/api/coupons/jobs',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: "Issue a batch to a saved segment (as of a date) or to a launched campaign run's treatment group, as one job (again with job_id: resume)",
        body: Type.Object({
          batch_id: Type.String(),
          segment_id: Type.Optional(Type.String()),
          as_of: Type.Optional(Type.String({ format: 'date' })),
          campaign_id: Type.Optional(Type.String()),
          run_id: Type.Optional(Type.Integer()),
          job_id: Type.Optional(Type.String()),
        }),
        response: { 200: anyObject, ...refusals },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if ((b.segment_id === undefined) === (b.campaign_id === undefined)) throw new HttpError(400, 'invalid_request', 'Give exactly one of segment_id, campaign_id.');
      const r = await analytical.serial(() =>
        b.campaign_id !== undefined
          ? issueToCampaign(analytical.db, ops, clock, { campaign_id: b.campaign_id, batch_id: b.batch_id, ...(b.run_id === undefined ? {} : { run_id: b.run_id }) })
          : issueToSegment(analytical.db, ops, clock, {
              batch_id: b.batch_id,
              segment_id: b.segment_id ?? '',
              as_of: b.as_of ?? clock.now().toISOString().slice(0, 10),
              ...(b.job_id === undefined ? {} : { job_id: b.job_id }),
            }),
      );
      return answer(reply, r);
    },
  );

  app.post(
    '/api/coupons/publish',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Publish every coupon (member, template, state, dates, discount) to the analytical store for reports and segments; replaces the last publish',
        response: { 200: Type.Object({ coupons: Type.Integer() }), ...authErrors },
      },
    },
    async () => analytical.serial(() => publishCoupons(analytical.db, ops, clock)),
  );

  app.get<{ Querystring: { as_of?: string; template_id?: string; segment?: string } }>(
    '/api/coupons/analytics',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Issued, redeemed, redemption rate and redeemed discount by template, lifecycle stage and (with segment) inside or outside a saved segment; from the last publish',
        querystring: Type.Object({ as_of: Type.Optional(Type.String({ format: 'date' })), template_id: Type.Optional(Type.String()), segment: Type.Optional(Type.String()) }),
        response: { 200: CouponAnalytics, ...authErrors },
      },
    },
    async (req) =>
      analytical.serial(() =>
        couponAnalytics(analytical.db, ops, {
          as_of: req.query.as_of ?? clock.now().toISOString().slice(0, 10),
          ...(req.query.template_id === undefined ? {} : { template_id: req.query.template_id }),
          ...(req.query.segment === undefined ? {} : { segment: req.query.segment }),
        }),
      ),
  );
}
