/** The member reports: lifecycle stages and migration, RFM, repeat purchase and cohorts. */
import { Type, type Static } from '@sinclair/typebox';
import { Count, Day, Decimal, Nullable, Ratio, Scope } from './values.js';

/** The stages, in the order of PRODUCT.md's rules. */
export const STAGES = ['Suspect', 'Prospect', 'New', 'Regular', 'Fan', 'Holding', 'Lapsed'] as const;
export const StageSchema = Type.Union(STAGES.map((s) => Type.Literal(s)));

/** Members per stage as of a date (members first seen by then only). */
export const LifecycleResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  stages: Type.Array(Type.Object({ stage: StageSchema, members: Count })),
});

/** Members per (stage at the first date, stage at the as-of date). */
export const MigrationResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  matrix: Type.Array(
    Type.Object({ from_stage: StageSchema, to_stage: StageSchema, members: Count, direction: Type.Union([Type.Literal('positive'), Type.Literal('negative'), Type.Literal('same')]) }),
  ),
  totals: Type.Object({ positive: Count, negative: Count, same: Count }),
});

const RfmGroup = Type.Object({ group: Type.String(), members: Count, member_share_pct: Nullable(Ratio), monetary: Decimal, revenue_share_pct: Nullable(Ratio) });

/** RFM: totals, both group maps (10 groups, the 8 Chinese groups) and the R x F grid. */
export const RfmResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  totals: Type.Object({ buyers: Count, mean_recency: Nullable(Ratio), mean_frequency: Nullable(Ratio), mean_monetary: Nullable(Ratio), monetary: Decimal }),
  groups: Type.Array(RfmGroup),
  groups_cn: Type.Array(RfmGroup),
  grid: Type.Array(Type.Object({ r_score: Count, f_score: Count, members: Count, mean_monetary: Decimal })),
});

/** The repeat metrics: second-purchase rate by cohort, the active repeat-purchase rate, retention and repeat rate by period. */
export const RepeatResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  second_purchase: Type.Array(Type.Object({ cohort: Day, cohort_end: Day, new_buyers: Count, second_buyers: Count, rate: Nullable(Ratio), left_censored: Type.Boolean(), target: Nullable(Ratio) })),
  active_repeat: Type.Object({ eligible: Count, repeated: Count, rate: Nullable(Ratio), target: Nullable(Ratio) }),
  periods: Type.Array(
    Type.Object({
      period: Day,
      buyers: Count,
      repeat_buyers: Count,
      previous_buyers: Count,
      retained: Count,
      repeat_rate: Nullable(Ratio),
      retention_rate: Nullable(Ratio),
      retention_target: Nullable(Ratio),
      repeat_target: Nullable(Ratio),
    }),
  ),
});

/** The cohort matrix: per first-purchase cohort and periods since, the members buying again. */
export const CohortsResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  matrix: Type.Array(Type.Object({ cohort: Day, size: Count, periods_since: Count, members: Count, member_rate: Ratio, revenue: Decimal })),
});

export type Stage = Static<typeof StageSchema>;
export type LifecycleResult = Static<typeof LifecycleResultSchema>;
export type MigrationResult = Static<typeof MigrationResultSchema>;
export type RfmResult = Static<typeof RfmResultSchema>;
export type RepeatResult = Static<typeof RepeatResultSchema>;
export type CohortsResult = Static<typeof CohortsResultSchema>;
