/**
 * The published shape of an experiment evaluation (`evaluateExperiment`, `regulars experiments
 * evaluate --json`, the campaign evaluation): one runtime schema, its TypeScript type, and the
 * JSON schema printed in docs/campaign-statistics.md and the OpenAPI document.
 */
import { Type, type Static } from '@sinclair/typebox';

const Num = Type.Number();
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);

export const Range = Type.Object({ estimate: Num, low: Num, high: Num }, { description: 'A point estimate with its 95% interval.' });

export const Comparison = Type.Object(
  {
    estimate: Type.Number({ description: 'Treatment minus control, in the metric unit: a proportion for response, money per member (per member and run when pooled) for revenue and margin.' }),
    low: Type.Union([Type.Number(), Type.Null()], { description: 'Lower end of the interval; null when withheld.' }),
    high: NumOrNull,
    p_value: NumOrNull,
    significant: Type.Boolean({ description: 'The interval excludes zero; always false when withheld.' }),
    withheld_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why no verdict is given; null when one is.' }),
    relative: Type.Union([Range, Type.Null()], { description: 'Treatment / control - 1 with its interval; null when the control mean is zero or the verdict is withheld.' }),
    treatment_mean: Num,
    control_mean: Num,
    variance_reduction: Type.Union([Type.Number(), Type.Null()], { description: 'Share of the variance CUPED removed; null when CUPED is not applied.' }),
  },
  { additionalProperties: false },
);

export const Increments = Type.Object(
  {
    exposures: Type.Integer({ description: 'Treated members (member-runs when pooled) the uplift is multiplied by.' }),
    responders: Type.Union([Range, Type.Null()]),
    revenue: Type.Union([Range, Type.Null()], { description: 'Incremental revenue from the capped estimate; null when withheld.' }),
    margin: Type.Union([Range, Type.Null()]),
    cost: NumOrNull,
    roi: Type.Union([Range, Type.Null()], { description: 'Incremental margin / cost; null without a cost, a margin, or when the margin verdict is withheld.' }),
  },
  { additionalProperties: false },
);

export const RunComparison = Type.Object(
  {
    run: Type.String(),
    response: Comparison,
    revenue: Comparison,
    margin: Type.Optional(Comparison),
  },
  { additionalProperties: false },
);

export const ArmComparison = Type.Object(
  {
    arm: Type.String(),
    against: Type.String({ description: '"control", or another treatment arm for comparisons between arms.' }),
    response: Comparison,
    revenue: Comparison,
    revenue_uncapped: Comparison,
    margin: Type.Optional(Comparison),
    margin_uncapped: Type.Optional(Comparison),
    increments: Type.Union([Increments, Type.Null()], { description: 'Against control only.' }),
    runs: Type.Union([Type.Array(RunComparison), Type.Null()], { description: 'Each run alone, when the rows carry runs.' }),
  },
  { additionalProperties: false },
);

export const Group = Type.Object(
  {
    arm: Type.String(),
    members: Type.Integer(),
    member_runs: Type.Integer(),
    responses: Type.Integer(),
    buyers: Type.Integer({ description: 'Members with revenue above zero (in any run).' }),
    revenue: Num,
  },
  { additionalProperties: false },
);

export const Srm = Type.Object(
  {
    p_value: NumOrNull,
    warn: Type.Boolean({ description: 'p below 0.001: the assignment may be broken and no result is trustworthy.' }),
    skipped_reason: Type.Union([Type.String(), Type.Null()]),
    expected: Type.Union([Type.Record(Type.String(), Num), Type.Null()]),
    observed: Type.Record(Type.String(), Num),
  },
  { additionalProperties: false },
);

export const Method = Type.Object(
  {
    name: Type.String(),
    level: Num,
    capping_percentile: Type.Union([Type.Number(), Type.Null()], { description: 'Percentile of the positive values (both arms together) each value is capped at; null when off.' }),
    caps: Type.Record(Type.String(), Type.Object({ upper: NumOrNull, lower: NumOrNull })),
    cuped: Type.Boolean(),
    cuped_covariates: Type.Array(Type.String()),
    min_responders: Type.Integer({ description: 'Revenue and margin are withheld when an arm has fewer members with a purchase.' }),
    pooling: Type.Union([Type.Literal('member-level'), Type.Null()]),
    sequential: Type.Union([Type.Object({ tuning: Num }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ExperimentResult = Type.Object(
  {
    method: Method,
    groups: Type.Array(Group),
    srm: Srm,
    arms: Type.Array(ArmComparison),
    between_arms: Type.Array(ArmComparison),
  },
  { additionalProperties: false, $id: 'ExperimentResult' },
);

export type ComparisonResult = Static<typeof Comparison>;
export type IncrementsResult = Static<typeof Increments>;
export type ArmResult = Static<typeof ArmComparison>;
export type RunResult = Static<typeof RunComparison>;
export type GroupSummary = Static<typeof Group>;
export type SrmResult = Static<typeof Srm>;
export type MethodResult = Static<typeof Method>;
export type ExperimentDocument = Static<typeof ExperimentResult>;
