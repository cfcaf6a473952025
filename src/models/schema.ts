/** Runtime schemas of what the models store and return (one per shape; types derive from them). */
import { Type, type Static } from '@sinclair/typebox';

export const ModelNameSchema = Type.Union([Type.Literal('bgnbd'), Type.Literal('paretonbd'), Type.Literal('gammagamma')]);
export const PeriodSchema = Type.Union([Type.Literal('week'), Type.Literal('day')]);

/** A fitted model: named parameters, standard errors, log-likelihood and what it was fitted on. */
export const ModelFitSchema = Type.Object({
  model: ModelNameSchema,
  params: Type.Record(Type.String(), Type.Number()),
  standard_errors: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
  log_likelihood: Type.Number(),
  customers: Type.Integer(),
  repeaters: Type.Integer(),
  iterations: Type.Integer(),
  converged: Type.Boolean(),
});
export type ModelFit = Static<typeof ModelFitSchema>;

/** A stored fit with its key. */
export const StoredFitSchema = Type.Intersect([Type.Object({ calibration_end: Type.String(), period: PeriodSchema, fitted_at: Type.String() }), ModelFitSchema]);
export type StoredFit = Static<typeof StoredFitSchema>;
