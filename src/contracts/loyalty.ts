/** Loyalty as the console reads it: a programme's summary and one member's account (GET /api/loyalty/...). */
import { Type, type Static } from '@sinclair/typebox';

/** Points are integers: a JSON number, or decimal text beyond 2^53. */
const Points = Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d+$' })], { description: 'points (integer)' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const LoyaltyProgrammesSchema = Type.Object({
  programmes: Type.Array(Type.Object({ programme_id: Type.String(), name: Type.String() })),
});

export const LoyaltySummarySchema = Type.Object({
  programme_id: Type.String(),
  name: Type.String(),
  /** When the figures were taken (the server's clock). */
  at: Type.String({ description: 'UTC timestamp' }),
  /** Members with an account (merged-away accounts not counted). */
  members: Type.Integer(),
  tiers: Type.Array(Type.Object({ tier: Nullable(Type.String()), name: Nullable(Type.String()), members: Type.Integer() }), {
    description: 'members per tier, in the order of the tiers; tier null: none yet',
  }),
  outstanding: Points,
  pending: Points,
  debt: Points,
  expiring_days: Type.Integer({ description: 'the window of `expiring`' }),
  expiring: Points,
  expiry_schedule: Type.Array(Type.Object({ month: Type.String({ description: 'YYYY-MM; 9999-12: never expires' }), points: Points }), {
    description: 'points outstanding (released and pending) by the month they expire',
  }),
  period: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
  earned: Points,
  spent: Points,
  expired: Points,
  reversed: Points,
  months: Type.Array(Type.Object({ month: Type.String(), earned: Points, spent: Points, expired: Points, reversed: Points })),
});

const LotSchema = Type.Object({
  lot_id: Points,
  order_id: Nullable(Type.String()),
  earned_by: Type.String(),
  points: Points,
  remaining: Points,
  earned_at: Type.String(),
  pending_until: Type.String(),
  expires_at: Type.String(),
  state: Type.String(),
});

export const MemberLoyaltySchema = Type.Object({
  programme_id: Type.String(),
  member_id: Type.String(),
  /** Null: the member has no account in the programme (not enrolled). */
  account: Nullable(
    Type.Object({
      account_id: Points,
      tier: Nullable(Type.String()),
      tier_name: Nullable(Type.String()),
      balance: Points,
      available: Points,
      pending: Points,
      debt: Points,
      qualifying: Nullable(Points),
      to_keep: Nullable(Points),
      tier_year_ends: Nullable(Type.String()),
      next_tier: Nullable(Type.String()),
      next_tier_name: Nullable(Type.String()),
      to_next: Nullable(Points),
      expiring: Type.Array(Type.Object({ expires_at: Type.String(), points: Points }), { description: 'points left per expiry date, soonest first' }),
      lots: Type.Array(LotSchema),
      entries: Type.Array(
        Type.Object({ entry_id: Points, at: Type.String(), kind: Type.String(), points: Points, cause: Type.String(), cause_ref: Nullable(Type.String()), reason: Nullable(Type.String()) }),
        { description: 'the latest ledger entries, newest first' },
      ),
    }),
  ),
});

export type LoyaltyProgrammes = Static<typeof LoyaltyProgrammesSchema>;
export type LoyaltySummary = Static<typeof LoyaltySummarySchema>;
export type MemberLoyalty = Static<typeof MemberLoyaltySchema>;
