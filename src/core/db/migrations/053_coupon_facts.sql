-- 053: coupons published from the operational store for analysis (a hand-off, replaced whole by
-- each publish: `regulars coupons publish`). Reports by segment and lifecycle stage and the
-- segment rule node `coupon` read this table; no statement joins across stores.
CREATE TABLE coupon_facts (
  coupon_id    BIGINT NOT NULL,
  member_id    VARCHAR NOT NULL,
  template_id  VARCHAR NOT NULL,
  batch_id     VARCHAR NOT NULL,
  campaign_id  VARCHAR,
  state        VARCHAR NOT NULL,     -- issued, reserved, redeemed, void (as in the operational store)
  issued_at    TIMESTAMP NOT NULL,
  valid_until  TIMESTAMP,
  redeemed_at  TIMESTAMP,
  discount     DECIMAL(18,4),        -- the redeemed (or reserved) discount
  published_at TIMESTAMP NOT NULL
);
