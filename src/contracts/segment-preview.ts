/** What a rule holds before it is saved (POST /api/segments/preview). */
import { Type, type Static } from '@sinclair/typebox';

export const SegmentPreviewSchema = Type.Object({
  as_of: Type.String({ format: 'date' }),
  members: Type.Integer(),
  base: Type.Integer({ description: 'members first seen by the date' }),
  first: Type.Array(
    Type.Object({ member_id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), city: Type.Union([Type.String(), Type.Null()]), stage: Type.Union([Type.String(), Type.Null()]) }),
  ),
  reachable: Type.Array(Type.Object({ channel: Type.String(), members: Type.Integer() }), { description: 'members with granted consent on each consent channel' }),
});

export type SegmentPreview = Static<typeof SegmentPreviewSchema>;
