-- Coupons bought with loyalty points: which spend paid for which coupon, so cancelling the coupon
-- unused gives exactly those points back, once (refund_key is set when it happens).
CREATE TABLE coupon_exchanges (
  coupon_id BIGINT PRIMARY KEY,
  programme_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  points BIGINT NOT NULL,
  spend_key TEXT NOT NULL,
  spend_entry BIGINT NOT NULL,
  exchanged_at TEXT NOT NULL,
  refund_key TEXT,
  refunded_at TEXT
);
CREATE INDEX coupon_exchanges_member ON coupon_exchanges (member_id);
