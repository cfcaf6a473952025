/** Product routes: association rules with thresholds, bundles, "bought together", recommendations. */
import type { FastifyInstance } from 'fastify';
import { analyze, defaultAsOf } from '../analytics/index.js';
import { findMember, MemberLookupError } from '../members/index.js';
import { BASKETS, boughtTogether, LEVELS, recommend, storedBoughtTogether, storedWindow } from '../products/index.js';
import type { Scope } from './keys.js';
import { anyObject, authErrors, dateSchema as date, errorSchema, READ, type Ctx } from './context.js';

/** A shop's own key (integrator) may ask for recommendations as well as the console's readers. */
const SHOP: readonly Scope[] = [...READ, 'integrator'];
const ratio = { type: 'string', pattern: '^[0-9]*\\.?[0-9]+$' } as const;

interface RulesQuery {
  as_of?: string;
  from?: string;
  min_support?: string;
  min_confidence?: string;
  min_lift?: string;
  min_length?: number;
  max_length?: number;
  level?: (typeof LEVELS)[number];
  basket?: (typeof BASKETS)[number];
  limit?: number;
}

interface WindowQuery {
  as_of?: string;
  days?: number;
  limit?: number;
}

interface RecommendBody extends WindowQuery {
  member?: string;
  viewing?: string[];
  cart?: string[];
}

const DAY = 86400000;
const dayBefore = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10);

/** Registers the product routes. */
export function productRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, clock, serial, need } = ctx;
  const ruleQuery = {
    type: 'object',
    properties: {
      as_of: date,
      from: date,
      min_support: ratio,
      min_confidence: ratio,
      min_lift: ratio,
      min_length: { type: 'integer', minimum: 1 },
      max_length: { type: 'integer', minimum: 1 },
      level: { type: 'string', enum: [...LEVELS] },
      basket: { type: 'string', enum: [...BASKETS] },
      limit: { type: 'integer', minimum: 1 },
    },
    additionalProperties: false,
  } as const;
  for (const report of ['rules', 'bundles'] as const) {
    app.get<{ Querystring: RulesQuery }>(
      `/api/products/${report}`,
      {
        preHandler: need(READ),
        schema: {
          summary:
            report === 'rules'
              ? 'Association rules with their thresholds: the document `regulars analyze rules --json` prints'
              : 'Bundle proposals (pairs and triples of high lift) with prices and the members who bought part of them',
          querystring: ruleQuery,
          response: { 200: anyObject, 400: errorSchema, ...authErrors },
        },
      },
      async (req) => {
        const q = req.query;
        return serial(() =>
          analyze(db, clock, report, {
            ...(q.as_of !== undefined ? { asOf: q.as_of } : {}),
            ...(q.from !== undefined ? { from: q.from } : {}),
            rules: {
              min_support: q.min_support,
              min_confidence: q.min_confidence,
              min_lift: q.min_lift,
              min_length: q.min_length,
              max_length: q.max_length,
              level: q.level,
              basket: q.basket,
              limit: q.limit,
            },
          }),
        );
      },
    );
  }

  const windowProps = { as_of: date, days: { type: 'integer', minimum: 1, maximum: 3660 }, limit: { type: 'integer', minimum: 1, maximum: 100 } } as const;
  app.get<{ Params: { sku: string }; Querystring: WindowQuery }>(
    '/api/products/:sku/bought-together',
    {
      preHandler: need(SHOP),
      schema: {
        summary:
          'Items most often in the same order as this one: from the counts the last rules run over the whole base stored, when no window is asked for (or the asked one is theirs) and no import finished since; else over the days (default 365) ending on as_of',
        params: { type: 'object', properties: { sku: { type: 'string', minLength: 1 } }, required: ['sku'] },
        querystring: { type: 'object', properties: windowProps, additionalProperties: false },
        response: { 200: anyObject, 400: errorSchema, ...authErrors },
      },
    },
    async (req) =>
      serial(async () => {
        const limit = req.query.limit !== undefined ? { limit: req.query.limit } : {};
        const method = 'baskets = orders not cancelled; ranked by baskets together with the item (its confidence), then lift; pairs in fewer than 2 baskets left out';
        // The counts stored by the last rules run over the whole base answer when no window is
        // asked for, or when the asked window is theirs (and no import has finished since).
        const stored = await storedWindow(db);
        const asked = req.query.as_of !== undefined || req.query.days !== undefined;
        const to = asked || stored === null ? (req.query.as_of ?? (await defaultAsOf(db, clock))) : stored.to;
        const from = dayBefore(to, (req.query.days ?? 365) - 1);
        if (stored !== null && (!asked || (stored.to === to && stored.from === from))) {
          const items = await storedBoughtTogether(db, req.params.sku, limit);
          return { sku: req.params.sku, window: { from: stored.from, to: stored.to }, source: 'stored', method, items };
        }
        const items = await boughtTogether(db, req.params.sku, { from, to, ...limit });
        return { sku: req.params.sku, window: { from, to }, source: 'computed', method, items };
      }),
  );

  app.post<{ Body: RecommendBody }>(
    '/api/recommendations',
    {
      preHandler: need(SHOP),
      schema: {
        summary: 'Recommendations from what a member is viewing or has in the cart (co-purchase and co-view scores; items the member bought are left out)',
        body: {
          type: 'object',
          properties: {
            ...windowProps,
            member: { type: 'string', minLength: 1, description: 'member ID, phone, email or channel:external-id (optional)' },
            viewing: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 50 },
            cart: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 50 },
          },
          additionalProperties: false,
        },
        response: { 200: anyObject, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) =>
      serial(async () => {
        const b = req.body;
        const to = b.as_of ?? (await defaultAsOf(db, clock));
        const from = dayBefore(to, (b.days ?? 365) - 1);
        let member: string | null = null;
        if (b.member !== undefined) {
          try {
            member = await findMember(db, b.member);
          } catch (e) {
            if (!(e instanceof MemberLookupError)) throw e;
            member = null;
          }
        }
        const context = [...(b.viewing ?? []), ...(b.cart ?? [])];
        const items = await recommend(db, context, member, { from, to, ...(b.limit !== undefined ? { limit: b.limit } : {}) });
        return {
          window: { from, to },
          member: member,
          method:
            'for each other item j: co_purchase = the best share of orders holding a context item that also hold j; co_view = the same over view sessions; score = co_purchase + 0.5 x co_view; pairs seen fewer than 2 times do not count; context items and items the member bought are left out',
          items,
        };
      }),
  );
}
