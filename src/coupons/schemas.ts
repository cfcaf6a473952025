/** One runtime schema per result shape: the idempotency store checks replays against them, the API publishes them. */
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Money = Type.String({ pattern: '^-?\\d+\\.\\d{4}$', description: 'decimal string, 4 places' });

export const CouponView = Type.Object({
  coupon_id: Type.Integer(),
  code: Type.String(),
  member_id: Type.String(),
  batch_id: Type.String(),
  template_id: Type.String(),
  /** issued, reserved, redeemed, void; `expired` when issued and past its validity. */
  state: Type.String(),
  valid_from: Nullable(Type.String()),
  valid_until: Nullable(Type.String()),
  issued_at: Type.String(),
  reserved_until: Nullable(Type.String()),
  discount: Type.Union([Money, Type.Null()]),
  order_id: Nullable(Type.String()),
});
export type CouponView = Static<typeof CouponView>;

const Line = Type.Object({ code: Type.String(), coupon_id: Type.Integer(), template_id: Type.String(), kind: Type.String(), discount: Money });

export const Reservation = Type.Object({
  reservation_id: Type.String(),
  member_id: Type.String(),
  expires_at: Type.String(),
  coupons: Type.Array(Line),
  total_discount: Money,
  basket_value: Money,
  to_pay: Money,
});
export type Reservation = Static<typeof Reservation>;

export const Redemption = Type.Object({
  reservation_id: Type.String(),
  order_id: Type.String(),
  redeemed_at: Type.String(),
  coupons: Type.Array(Line),
  total_discount: Money,
});
export type Redemption = Static<typeof Redemption>;

export const Release = Type.Object({ reservation_id: Type.String(), released: Type.Array(Type.String()) });
export type Release = Static<typeof Release>;

export const ReturnResult = Type.Object({
  order_id: Type.String(),
  whole: Type.Boolean(),
  coupons: Type.Array(Type.Object({ code: Type.String(), state: Type.String() })),
});
export type ReturnResult = Static<typeof ReturnResult>;

/** Points exchanged for a coupon: the coupon, and the spend on the points ledger that paid for it. */
export const Exchange = Type.Object({
  coupon: CouponView,
  programme_id: Type.String(),
  points: Type.String({ pattern: '^\\d+$', description: 'whole points, as a string' }),
  spend_entry_id: Type.String(),
});
export type Exchange = Static<typeof Exchange>;

/** A coupon bought with points, cancelled unused: void, and its points restored on the ledger. */
export const ExchangeCancel = Type.Object({
  coupon_id: Type.Integer(),
  code: Type.String(),
  state: Type.Literal('void'),
  programme_id: Type.String(),
  points: Type.String({ pattern: '^\\d+$' }),
  restore_entry_id: Type.String(),
});
export type ExchangeCancel = Static<typeof ExchangeCancel>;
