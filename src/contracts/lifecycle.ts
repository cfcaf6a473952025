/** The lifecycle report's result: members per stage as of a date (members first seen by then). */
import { Type, type Static } from '@sinclair/typebox';

/** The stages, in the order of PRODUCT.md's rules. */
export const STAGES = ['Suspect', 'Prospect', 'New', 'Regular', 'Fan', 'Holding', 'Lapsed'] as const;
export const StageSchema = Type.Union(STAGES.map((s) => Type.Literal(s)));

export const LifecycleResultSchema = Type.Object({
  stages: Type.Array(Type.Object({ stage: StageSchema, members: Type.Integer() })),
});

export type LifecycleResult = Static<typeof LifecycleResultSchema>;
