/** An experiment run elsewhere, judged from member-level rows over HTTP (the same statistics as `regulars experiments evaluate`). */
import type { FastifyInstance } from 'fastify';
import { describeProblem, ExperimentResult, tryEvaluateExperiment, type ExperimentOptions, type ExperimentRow } from '../stats/index.js';
import { authErrors, errorSchema, HttpError, READ, type Ctx } from './context.js';

const { $id: _published, ...resultSchema } = ExperimentResult;

const bodySchema = {
  type: 'object',
  required: ['rows'],
  properties: {
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['member_id', 'arm', 'responded', 'revenue'],
        properties: {
          member_id: { anyOf: [{ type: 'string' }, { type: 'number' }] },
          arm: { type: 'string', description: '"control" or a treatment name' },
          responded: { anyOf: [{ type: 'boolean' }, { type: 'number' }, { type: 'string' }] },
          revenue: { anyOf: [{ type: 'number' }, { type: 'string' }], description: 'money: a number or a decimal string' },
          margin: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
          pre_revenue: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
          pre_orders: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
          run: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
        },
      },
    },
    options: {
      type: 'object',
      properties: {
        allocation: { type: 'object', additionalProperties: { type: 'number' } },
        cap_percentile: { anyOf: [{ type: 'number' }, { type: 'null' }], description: 'percentile 0-1 of the positive values; null: no capping (default 0.95)' },
        cuped: { type: 'boolean' },
        min_responders: { type: 'integer' },
        costs: { type: 'object', additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string' }] } },
        sequential: { type: 'boolean' },
      },
    },
  },
} as const;

interface Body {
  readonly rows: ExperimentRow[];
  readonly options?: { allocation?: Record<string, number>; cap_percentile?: number | null; cuped?: boolean; min_responders?: number; costs?: Record<string, number | string>; sequential?: boolean };
}

/** Registers POST /api/experiments/evaluate. */
export function experimentRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.post<{ Body: Body }>(
    '/api/experiments/evaluate',
    {
      preHandler: ctx.need(READ),
      schema: {
        summary: 'Each treatment arm against control from member-level rows (docs/campaign-statistics.md)',
        body: bodySchema,
        response: { 200: resultSchema, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const o = req.body.options ?? {};
      const options: ExperimentOptions = {
        ...(o.allocation === undefined ? {} : { allocation: o.allocation }),
        ...(o.cap_percentile === undefined ? {} : { capPercentile: o.cap_percentile }),
        ...(o.cuped === undefined ? {} : { cuped: o.cuped }),
        ...(o.min_responders === undefined ? {} : { minResponders: o.min_responders }),
        ...(o.costs === undefined ? {} : { costs: o.costs }),
        ...(o.sequential === undefined ? {} : { sequential: o.sequential }),
      };
      const r = tryEvaluateExperiment(req.body.rows, options);
      if (!r.ok) throw new HttpError(400, r.problem.type, describeProblem(r.problem));
      return r.value;
    },
  );
}
