/** The latest scoring run of the customer models as the console reads it (GET /api/models/scores/summary). */
import { Type, type Static } from '@sinclair/typebox';

const Money = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ModelScoresSummarySchema = Type.Object({
  /** Null: no member has been scored yet. */
  run: Nullable(
    Type.Object({
      scored_at: Type.String(),
      calibration_end: Type.String({ format: 'date' }),
      period: Type.String(),
      model: Type.String(),
      horizon: Nullable(Type.Number({ description: 'periods of expected purchases' })),
      bands: Nullable(Type.Object({ high: Type.Number(), medium: Type.Number() }, { description: 'P(alive) below high: high churn risk; below medium: medium' })),
      members: Type.Integer(),
      mean_p_alive: Type.Number(),
      churn_risk: Type.Object({ high: Type.Integer(), medium: Type.Integer(), low: Type.Integer() }),
      p_alive: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), members: Type.Integer() }), { description: 'members per tenth of P(alive)' }),
      clv_total: Nullable(Money),
      clv_deciles: Type.Array(Type.Object({ decile: Type.Integer({ description: '1: the highest CLV' }), members: Type.Integer(), min: Money, max: Money, total: Money }), {
        description: 'members ranked by CLV in ten groups of equal size; empty without a spend model',
      }),
    }),
  ),
});

export type ModelScoresSummary = Static<typeof ModelScoresSummarySchema>;
