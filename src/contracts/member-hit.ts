/** One member found by a search (GET /api/members). */
import { Type, type Static } from '@sinclair/typebox';

export const MemberHitSchema = Type.Object({
  member_id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()], { description: 'masked for analyst keys' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'masked for analyst keys' }),
  channels: Type.Array(Type.String()),
  last_purchase: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  stage: Type.Union([Type.String(), Type.Null()]),
});

export const MemberHitsSchema = Type.Object({ members: Type.Array(MemberHitSchema) });

export type MemberHit = Static<typeof MemberHitSchema>;
