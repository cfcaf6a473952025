/** Reads: meta, analysis reports (as `regulars analyze --json`), member search and the member 360. */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../core/db/index.js';
import { analyze, BY_OPTIONS, defaultAsOf, DIMENSIONS, REPORTS, salesTrend, type AnalysisOptions, type By } from '../analytics/index.js';
import { getSetting } from '../core/settings/index.js';
import { listSegments, RULE_VOCABULARY } from '../segments/index.js';
import { findMember, memberView, searchMembers, type MemberView } from '../members/index.js';
import { ENTITY_NAMES, PRESETS } from '../ingest/index.js';
import { anyObject, authErrors, dateSchema as date, errorSchema, HttpError, masked, OPERATE, READ, type Ctx } from './context.js';
import { maskEmail, maskPhone } from './keys.js';
import { memberCampaigns } from '../campaigns/index.js';
import { MemberHitsSchema, REPORT_RESULTS, reportDocumentSchema, TrendSchema } from '../contracts/index.js';
import { Type } from '@sinclair/typebox';

/**
 * The report document as OpenAPI publishes it: the result is one of the reports' result schemas
 * (docs/api.md; src/contracts). Serialized as the core returns it (JSON.stringify), so a report
 * without a schema of its own keeps every field; src/api/contracts.test.ts checks the answers.
 */
const ReportDocumentSchema = reportDocumentSchema(
  Type.Union([...Object.entries(REPORT_RESULTS).map(([name, schema]) => Type.Composite([schema], { title: name })), Type.Object({}, { title: 'other reports', additionalProperties: true })]),
);
import { unmerge } from '../identity/index.js';

/** A global identifier (phone, email) by its kind, or by its shape when the kind is not given. */
function maskIdentifier(kind: unknown, value: Row[string] | undefined): Row[string] {
  if (typeof value !== 'string') return value ?? null;
  if (kind === 'phone' || (kind === undefined && /^\+?\d{7,}$/.test(value))) return maskPhone(value);
  if (kind === 'email' || (kind === undefined && value.includes('@'))) return maskEmail(value);
  return value;
}

/** The member 360 with every phone and email masked: identities, consent accounts, merge evidence. */
export function maskView(v: MemberView): MemberView {
  return {
    ...v,
    identities: v.identities.map((i) => ({ ...i, value: maskIdentifier(i['kind'], i['value']) })),
    // Consents anchored on a global identifier (no channel) name a phone or an email.
    consents: v.consents.map((c) => (c['channel'] === null || c['channel'] === '' ? { ...c, account: maskIdentifier(undefined, c['account']) } : c)),
    merges: v.merges.map((m) => ({ ...m, via_value: maskIdentifier(m['via_kind'], m['via_value']) })),
  };
}

const maskHit = (r: Row): Row => ({ ...r, phone: maskIdentifier('phone', r['phone']), email: maskIdentifier('email', r['email']) });

interface ReportQuery {
  as_of?: string;
  from?: string;
  to?: string;
  period?: 'week' | 'month';
  by?: By;
  segments?: string;
  segment?: string;
  window_days?: number;
  second_purchase_days?: number;
  rank?: 'base' | 'segment';
}

/** The query string in the names analyze() takes (the CLI's options). */
function analyzeOptions(q: ReportQuery): AnalysisOptions {
  return {
    ...(q.as_of !== undefined ? { asOf: q.as_of } : {}),
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(q.period !== undefined ? { period: q.period } : {}),
    ...(q.by !== undefined ? { by: q.by } : {}),
    ...(q.segment !== undefined ? { segment: q.segment } : {}),
    ...(q.segments !== undefined
      ? {
          by: 'segment' as const,
          segments: q.segments
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== ''),
        }
      : {}),
    ...(q.window_days !== undefined ? { windowDays: q.window_days } : {}),
    ...(q.second_purchase_days !== undefined ? { secondPurchaseDays: q.second_purchase_days } : {}),
    ...(q.rank !== undefined ? { rank: q.rank } : {}),
  };
}

export function readRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, ops, clock, serial, need } = ctx;

  app.get(
    '/api/meta',
    { preHandler: need(READ), schema: { summary: 'What the filters offer: default as-of date, data range, channels, stores, categories, reports', response: { 200: anyObject, ...authErrors } } },
    async () =>
      serial(async () => {
        const range = await db.one("SELECT strftime(min(created_at), '%Y-%m-%d') AS first_day, strftime(max(created_at), '%Y-%m-%d') AS last_day FROM orders");
        const strings = (rows: Row[], col: string): string[] => rows.map((r) => String(r[col]));
        return {
          as_of_default: await defaultAsOf(db, clock),
          first_day: range?.['first_day'] ?? null,
          last_day: range?.['last_day'] ?? null,
          channels: strings(await db.all('SELECT channel_id FROM channels ORDER BY 1'), 'channel_id'),
          stores: strings(await db.all('SELECT DISTINCT store_id FROM stores ORDER BY 1'), 'store_id'),
          categories: strings(await db.all("SELECT DISTINCT trim(split_part(category_path, '>', 1)) AS c FROM products WHERE coalesce(category_path, '') <> '' ORDER BY 1"), 'c'),
          currency: await getSetting(db, 'shop.currency'),
          // The values in the data, for the segment builder's pickers.
          pickers: {
            // Top-level categories and whole paths (a rule matches a path or what it starts with).
            category: strings(
              await db.all(
                "SELECT DISTINCT c FROM (SELECT trim(split_part(category_path, '>', 1)) AS c FROM products UNION SELECT category_path FROM products) WHERE coalesce(c, '') <> '' ORDER BY 1 LIMIT 500",
              ),
              'c',
            ),
            brand: strings(await db.all("SELECT DISTINCT brand AS b FROM products WHERE coalesce(brand, '') <> '' ORDER BY 1 LIMIT 500"), 'b'),
            city: strings(await db.all("SELECT city AS c FROM members WHERE coalesce(city, '') <> '' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 500"), 'c'),
            gender: strings(await db.all("SELECT DISTINCT gender AS g FROM members WHERE coalesce(gender, '') <> '' ORDER BY 1"), 'g'),
            registration_channel: strings(await db.all("SELECT DISTINCT registration_channel AS c FROM members WHERE coalesce(registration_channel, '') <> '' ORDER BY 1"), 'c'),
            channel: strings(await db.all('SELECT channel_id FROM channels ORDER BY 1'), 'channel_id'),
            consent_channel: strings(await db.all('SELECT DISTINCT contact_channel AS c FROM consents ORDER BY 1'), 'c'),
            store: strings(await db.all('SELECT DISTINCT store_id FROM stores ORDER BY 1'), 'store_id'),
            tag: strings(await db.all('SELECT DISTINCT tag FROM member_tags ORDER BY 1'), 'tag'),
          },
          reports: REPORTS,
          presets: Object.keys(PRESETS),
          entities: ENTITY_NAMES,
          dimensions: DIMENSIONS,
          segments: (await listSegments(ops, null)).map((r) => ({ segment_id: r['segment_id'], name: r['name'] })),
          segment_rules: RULE_VOCABULARY,
        };
      }),
  );

  app.get<{ Params: { report: (typeof REPORTS)[number] }; Querystring: ReportQuery }>(
    '/api/reports/:report',
    {
      preHandler: need(READ),
      schema: {
        summary: 'One analysis report: the document `regulars analyze REPORT --json` prints',
        params: { type: 'object', properties: { report: { type: 'string', enum: [...REPORTS] } }, required: ['report'] },
        querystring: {
          type: 'object',
          properties: {
            as_of: date,
            from: date,
            to: date,
            period: { type: 'string', enum: ['week', 'month'] },
            by: { type: 'string', enum: [...BY_OPTIONS], description: 'KPI drill-down, or segment: the report once per saved segment' },
            segments: { type: 'string', minLength: 1, description: 'segment IDs or names, comma-separated (implies by=segment; default with by=segment: every saved segment)' },
            segment: { type: 'string', minLength: 1, description: 'one segment ID or name: the report over its members only (by keeps its KPI meaning)' },
            window_days: { type: 'integer', minimum: 1 },
            second_purchase_days: { type: 'integer', minimum: 1 },
            rank: {
              type: 'string',
              enum: ['base', 'segment'],
              description: "RFM with segment: base (default) shows each member's whole-base scores; segment ranks within the segment (as by=segment)",
            },
          },
          additionalProperties: false,
        },
        response: { 200: ReportDocumentSchema, 400: errorSchema, ...authErrors },
      },
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (req) => {
      if (req.query.segment !== undefined && (req.query.segments !== undefined || req.query.by === 'segment')) {
        throw new HttpError(400, 'bad_request', 'segment restricts one report to one segment; segments (or by=segment) splits it by several: use one of them');
      }
      return serial(() => analyze(db, clock, req.params.report, { ...analyzeOptions(req.query), definitions: ops }));
    },
  );

  app.get<{ Querystring: { as_of?: string; grain?: 'week' | 'month'; periods?: number; channel?: string; segment?: string } }>(
    '/api/trend',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Gross sales, orders and buyers per week or month up to the as-of date, each with the same period last year and the gross-sales target',
        querystring: {
          type: 'object',
          properties: {
            as_of: date,
            grain: { type: 'string', enum: ['week', 'month'] },
            periods: { type: 'integer', minimum: 1, maximum: 60 },
            channel: { type: 'string' },
            segment: { type: 'string' },
          },
          additionalProperties: false,
        },
        response: { 200: TrendSchema, ...authErrors },
      },
    },
    async (req) =>
      serial(async () => {
        const q = req.query;
        return salesTrend(db, {
          asOf: q.as_of ?? (await defaultAsOf(db, clock)),
          grain: q.grain ?? 'month',
          ...(q.periods !== undefined ? { periods: q.periods } : {}),
          ...(q.channel !== undefined ? { channel: q.channel } : {}),
          ...(q.segment !== undefined ? { segment: q.segment } : {}),
          definitions: ops,
        });
      }),
  );

  app.get<{ Querystring: { q: string; limit?: number } }>(
    '/api/members',
    {
      preHandler: need(READ),
      schema: {
        summary: 'Search members by phone, email, name (substring), member ID or old ID, or a channel account ID',
        querystring: { type: 'object', properties: { q: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1, maximum: 200 } }, required: ['q'] },
        response: { 200: MemberHitsSchema, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const rows = await serial(() => searchMembers(db, req.query.q, req.query.limit ?? 20));
      return { members: masked(req) ? rows.map(maskHit) : rows };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/members/:id',
    {
      preHandler: need(READ),
      schema: {
        summary: 'The member 360 (as `regulars members show ID --json`); a member ID, phone, email or channel:account',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: anyObject, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const view = await serial(async () => {
        const id = await findMember(db, req.params.id);
        return { ...(await memberView(db, id)), campaigns: await memberCampaigns(db, ops, id) };
      });
      return masked(req) ? { ...maskView(view), campaigns: view.campaigns } : view;
    },
  );

  app.post<{ Params: { id: string }; Body: { account: string; reason?: string } }>(
    '/api/members/:id/unmerge',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Split a wrongly merged account (channel:external-id) off a member (as `regulars members unmerge`); later imports keep them apart',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        body: { type: 'object', properties: { account: { type: 'string', minLength: 1 }, reason: { type: 'string' } }, required: ['account'] },
        response: { 200: anyObject, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => serial(async () => unmerge(db, clock, await findMember(db, req.params.id), req.body.account, req.body.reason ?? null)),
  );
}
