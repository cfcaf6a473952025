/**
 * Loyalty over HTTP for tills and shops (scope pos, operator or admin): look up an account, its
 * balance, lots and history; earn for an order or an activity, dry run, spend, roll a spend back,
 * reverse for a return or cancellation; manual adjustments (operator). Every write takes an
 * idempotency key (body `key` or the Idempotency-Key header): a retry returns the first result
 * (200, `replayed: true`), other content under the same key is refused (409). docs/loyalty.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  adjust,
  balanceOf,
  dryRun,
  earnActivity,
  earnOrder,
  ERROR_STATUS,
  findAccount,
  historyOf,
  loadProgramme,
  lotsOf,
  memberLoyalty,
  programmeNames,
  programmeSummary,
  reverseOrder,
  rollbackSpend,
  spend,
  tierStatus,
  toJson,
  Who,
  type Json,
  type LoyaltyError,
  type LoyaltyResult,
} from '../loyalty/index.js';
import { LoyaltyProgrammesSchema, LoyaltySummarySchema, MemberLoyaltySchema } from '../contracts/index.js';
import { anyObject, authErrors, dateSchema, errorSchema, HttpError, OPERATE, POS, type OpCtx } from './context.js';

const Key = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'idempotency key (or the Idempotency-Key header)' }));
const Points = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+$' })]);
const SignedPoints = Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d+$' })]);

const EarnBody = Type.Object({
  who: Who,
  order: Type.Object({}, { additionalProperties: true, description: 'order_id, paid_at (UTC ISO), channel, lines [{sku, category, brand, kind, amount}], coupon_discount, member_birthday' }),
  key: Key,
});
const ActivityBody = Type.Object({ who: Who, activity: Type.String({ minLength: 1 }), ref: Type.Optional(Type.String()), key: Key });
const DryRunBody = Type.Object({ who: Type.Optional(Who), order: Type.Object({}, { additionalProperties: true }) });
const SpendBody = Type.Object({ who: Who, points: Points, order_id: Type.Optional(Type.String()), key: Key });
const RollbackBody = Type.Object({ spend_key: Type.String({ minLength: 1 }), reason: Type.Optional(Type.String()), key: Key });
const ReverseBody = Type.Object({
  order_id: Type.String({ minLength: 1 }),
  value: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+)?$' })),
  cancel: Type.Optional(Type.Boolean()),
  return_id: Type.Optional(Type.String()),
  key: Key,
});
const AdjustBody = Type.Object({ who: Who, points: SignedPoints, reason: Type.String({ minLength: 1 }), key: Key });
const LookupQuery = Type.Object({
  member_id: Type.Optional(Type.String()),
  account_id: Type.Optional(Type.String({ pattern: '^\\d+$' })),
  phone: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  card: Type.Optional(Type.String()),
  unionid: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String({ description: 'channel of a card' })),
});
const Programme = Type.Object({ programme: Type.String() });
const AccountParams = Type.Object({ programme: Type.String(), account: Type.String({ pattern: '^\\d+$' }) });

function parse<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (Value.Check(schema, value)) return value;
  const first = [...Value.Errors(schema, value)][0];
  throw new HttpError(400, 'invalid_request', `${first?.path || '/'}: ${first?.message ?? 'invalid'}`);
}

function keyOf(req: FastifyRequest, body: { key?: string | undefined }): string {
  const header = req.headers['idempotency-key'];
  const key = body.key ?? (typeof header === 'string' ? header : undefined);
  if (key === undefined || key === '') throw new HttpError(400, 'idempotency_key_required', 'Every write needs an idempotency key: the body field key or the Idempotency-Key header.');
  return key;
}

function failure(e: LoyaltyError): never {
  throw new HttpError(ERROR_STATUS[e.type], e.type, e.message);
}

function answer<T>(r: LoyaltyResult<T>, reply: { status: (n: number) => unknown }): Json {
  if (!r.ok) failure(r.error);
  reply.status(r.replayed ? 200 : 201);
  return toJson({ replayed: r.replayed, ...toObject(r.value) });
}

function toObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v } : { value: v };
}

function whoFromQuery(q: Static<typeof LookupQuery>): Who {
  if (q.member_id !== undefined) return { member_id: q.member_id };
  if (q.account_id !== undefined) return { account_id: q.account_id };
  if (q.phone !== undefined) return { kind: 'phone', value: q.phone };
  if (q.email !== undefined) return { kind: 'email', value: q.email };
  if (q.card !== undefined) return { kind: 'pos_card', scope: q.scope ?? '', value: q.card };
  if (q.unionid !== undefined) return { kind: 'wechat_unionid', value: q.unionid };
  throw new HttpError(400, 'invalid_request', 'Name the account: member_id, account_id, phone, email, card (with scope) or unionid.');
}

const write = (summary: string, body: TSchema, scopes = POS) => ({
  schema: { summary, tags: ['loyalty'], params: Programme, body, response: { 200: anyObject, 201: anyObject, 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema, ...authErrors } },
  scopes,
});

/** Registers the loyalty routes. */
export function loyaltyRoutes(app: FastifyInstance, ctx: OpCtx): void {
  const { ops, clock, need } = ctx;
  const route = (summary: string, body: TSchema, scopes = POS) => {
    const w = write(summary, body, scopes);
    return { preHandler: need(w.scopes), schema: w.schema };
  };

  // The console's reads (operators): programmes, a programme's summary, one member's account.
  const programmeOf = async (id: string) => (await loadProgramme(ops, id)) ?? failure({ type: 'programme_not_found', message: `no programme ${id}` });
  app.get(
    '/api/loyalty/programmes',
    {
      preHandler: need(OPERATE),
      schema: { summary: 'The loyalty programmes with their names', tags: ['loyalty'], response: { 200: LoyaltyProgrammesSchema, ...authErrors } },
    },
    async () => ({ programmes: await programmeNames(ops) }),
  );

  app.get<{ Params: { programme: string }; Querystring: { from?: string; to?: string } }>(
    '/api/loyalty/:programme/summary',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: "A programme's summary: members per tier, points outstanding and expiring in 30 days, earned, spent and expired in the period (default: the 30 days to today)",
        tags: ['loyalty'],
        params: Programme,
        querystring: { type: 'object', properties: { from: dateSchema, to: dateSchema } },
        response: { 200: LoyaltySummarySchema, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from !== undefined && to !== undefined && from > to) throw new HttpError(400, 'invalid_request', `from ${from} is after to ${to}.`);
      return programmeSummary(ops, await programmeOf(req.params.programme), clock.now(), { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
    },
  );

  app.get<{ Params: { programme: string; member_id: string } }>(
    '/api/loyalty/:programme/members/:member_id',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: "A member's account: balance, tier and the points to keep it, expiring lots, the latest ledger entries (account null: not enrolled)",
        tags: ['loyalty'],
        params: Type.Object({ programme: Type.String(), member_id: Type.String() }),
        response: { 200: MemberLoyaltySchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => memberLoyalty(ops, await programmeOf(req.params.programme), req.params.member_id, clock.now()),
  );

  app.get<{ Params: { programme: string }; Querystring: unknown }>(
    '/api/loyalty/:programme/lookup',
    {
      preHandler: need(POS),
      schema: {
        summary: 'Find an account by member ID, phone, email, POS card, unionid or account ID: balance and tier',
        tags: ['loyalty'],
        params: Programme,
        querystring: LookupQuery,
        response: { 200: anyObject, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const config = (await loadProgramme(ops, req.params.programme)) ?? failure({ type: 'programme_not_found', message: `no programme ${req.params.programme}` });
      const found = await findAccount(ops, config.programme_id, whoFromQuery(parse(LookupQuery, req.query)), config.phone_country);
      if (!found.ok) failure(found.error);
      const now = clock.now();
      return toJson({ ...(await balanceOf(ops, found.account, now)), tier: await tierStatus(ops, config, found.account, now) });
    },
  );

  app.get<{ Params: { programme: string; account: string } }>(
    '/api/loyalty/:programme/accounts/:account/lots',
    {
      preHandler: need(POS),
      schema: { summary: "An account's lots with points left, in the order they are spent", tags: ['loyalty'], params: AccountParams, response: { 200: anyObject, ...authErrors } },
    },
    async (req) => toJson({ lots: await lotsOf(ops, BigInt(req.params.account)) }),
  );

  app.get<{ Params: { programme: string; account: string }; Querystring: { limit?: number } }>(
    '/api/loyalty/:programme/accounts/:account/history',
    {
      preHandler: need(POS),
      schema: {
        summary: "An account's ledger entries, newest first, with the lots each moved",
        tags: ['loyalty'],
        params: AccountParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: { 200: anyObject, ...authErrors },
      },
    },
    async (req) => toJson({ entries: await historyOf(ops, BigInt(req.params.account), req.query.limit ?? 100) }),
  );

  app.post<{ Params: { programme: string }; Body: unknown }>('/api/loyalty/:programme/earn', route('Earn an order: one lot, pending for the return window', EarnBody), async (req, reply) => {
    const b = parse(EarnBody, req.body);
    return answer(await earnOrder(ops, clock, req.params.programme, { who: b.who, order: b.order, key: keyOf(req, b) }), reply);
  });

  app.post<{ Params: { programme: string }; Body: unknown }>('/api/loyalty/:programme/activities', route('Earn an activity (review, sign-in, referral, ...)', ActivityBody), async (req, reply) => {
    const b = parse(ActivityBody, req.body);
    return answer(await earnActivity(ops, clock, req.params.programme, { who: b.who, activity: b.activity, key: keyOf(req, b), ...(b.ref === undefined ? {} : { ref: b.ref }) }), reply);
  });

  app.post<{ Params: { programme: string }; Body: unknown }>(
    '/api/loyalty/:programme/dry-run',
    {
      preHandler: need(POS),
      schema: {
        summary: 'What an order would earn now (rules, multipliers, caps), without writing',
        tags: ['loyalty'],
        params: Programme,
        body: DryRunBody,
        response: { 200: anyObject, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const b = parse(DryRunBody, req.body);
      const r = await dryRun(ops, req.params.programme, b.who ?? null, b.order);
      if (!r.ok) failure(r.error);
      return toJson(r.value);
    },
  );

  app.post<{ Params: { programme: string }; Body: unknown }>(
    '/api/loyalty/:programme/spend',
    route('Spend points (oldest expiry first); 422 insufficient_points beyond the balance', SpendBody),
    async (req, reply) => {
      const b = parse(SpendBody, req.body);
      return answer(await spend(ops, clock, req.params.programme, { who: b.who, points: BigInt(b.points), key: keyOf(req, b), ...(b.order_id === undefined ? {} : { order_id: b.order_id }) }), reply);
    },
  );

  app.post<{ Params: { programme: string }; Body: unknown }>(
    '/api/loyalty/:programme/spend/rollback',
    route('Roll back a spend (named by its key): the same lots get their points back', RollbackBody),
    async (req, reply) => {
      const b = parse(RollbackBody, req.body);
      return answer(await rollbackSpend(ops, clock, req.params.programme, { spend_key: b.spend_key, key: keyOf(req, b), ...(b.reason === undefined ? {} : { reason: b.reason }) }), reply);
    },
  );

  app.post<{ Params: { programme: string }; Body: unknown }>(
    '/api/loyalty/:programme/reverse',
    route('Reverse points for a return (value returned) or a cancellation, cumulatively', ReverseBody),
    async (req, reply) => {
      const b = parse(ReverseBody, req.body);
      if ((b.value === undefined) === (b.cancel !== true)) throw new HttpError(400, 'invalid_request', 'Give either value (a return) or cancel: true.');
      return answer(
        await reverseOrder(ops, clock, req.params.programme, {
          order_id: b.order_id,
          key: keyOf(req, b),
          ...(b.value === undefined ? {} : { value: b.value }),
          ...(b.cancel === true ? { cancel: true } : {}),
          ...(b.return_id === undefined ? {} : { return_id: b.return_id }),
        }),
        reply,
      );
    },
  );

  app.post<{ Params: { programme: string }; Body: unknown }>(
    '/api/loyalty/:programme/adjust',
    route('A manual adjustment with a reason; the operator is the API key', AdjustBody, OPERATE),
    async (req, reply) => {
      const b = parse(AdjustBody, req.body);
      return answer(await adjust(ops, clock, req.params.programme, { who: b.who, points: BigInt(b.points), reason: b.reason, operator: req.key?.name ?? 'api', key: keyOf(req, b) }), reply);
    },
  );
}
