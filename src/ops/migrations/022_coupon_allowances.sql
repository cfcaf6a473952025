-- Tier allowances: one row per (template, member, period) granted, claimed in the same transaction
-- as the coupons it issues, so a rerun of the allowance job in the same period grants nothing twice.
CREATE TABLE coupon_allowance_grants (
  template_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  period TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  tier TEXT NOT NULL,
  granted BIGINT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (template_id, member_id, period)
);
