-- Coupons: templates, batches of codes, issued coupons and their till states, budgets, and the
-- idempotency keys of coupon operations. Money is BIGINT units of 1/10000 of the currency unit.

CREATE TABLE coupon_templates (
  template_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- A batch: one shared code, or a pool of unique codes (generated or imported) handed out in
-- sequence; next_seq is the next pool position to issue.
CREATE TABLE coupon_batches (
  batch_id TEXT PRIMARY KEY,
  template_id TEXT NOT NULL REFERENCES coupon_templates (template_id),
  mode TEXT NOT NULL,
  shared_code TEXT,
  campaign_id TEXT,
  pool_size BIGINT NOT NULL,
  next_seq BIGINT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE coupon_codes (
  code TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES coupon_batches (batch_id),
  seq BIGINT NOT NULL,
  UNIQUE (batch_id, seq)
);

-- One coupon held by one member. state: issued, reserved, redeemed, void (returned after expiry).
-- issue_ref is unique per batch: the caller's key, or job:member for a segment job.
CREATE TABLE coupons (
  coupon_id {{id}},
  batch_id TEXT NOT NULL REFERENCES coupon_batches (batch_id),
  template_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  code TEXT NOT NULL,
  issue_ref TEXT NOT NULL,
  job_id TEXT,
  state TEXT NOT NULL,
  valid_from TEXT,
  valid_until TEXT,
  issued_at TEXT NOT NULL,
  reservation_id TEXT,
  reserved_until TEXT,
  budget_day TEXT,
  discount BIGINT,
  order_id TEXT,
  redeemed_at TEXT,
  UNIQUE (batch_id, issue_ref)
);
CREATE INDEX coupons_code ON coupons (code);
CREATE INDEX coupons_member ON coupons (member_id, template_id);
CREATE INDEX coupons_reservation ON coupons (reservation_id);
CREATE INDEX coupons_order ON coupons (order_id);
CREATE INDEX coupons_reserved ON coupons (template_id, state, reserved_until);

-- Budget taken per template: day 'total' and one row per UTC day. Taken at reservation, given
-- back when a reservation is released or lapses, or a whole order is returned.
CREATE TABLE coupon_budget_use (
  template_id TEXT NOT NULL,
  day TEXT NOT NULL,
  used_count BIGINT NOT NULL,
  used_value BIGINT NOT NULL,
  PRIMARY KEY (template_id, day)
);

-- Idempotency of coupon operations: the same key with the same request returns the first result.
CREATE TABLE coupon_ops (
  op_key TEXT PRIMARY KEY,
  op TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  result TEXT NOT NULL,
  at TEXT NOT NULL
);

-- Issue jobs (a saved segment's members, a campaign wave's treatment group): resumable.
CREATE TABLE coupon_issue_jobs (
  job_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES coupon_batches (batch_id),
  source TEXT NOT NULL,
  members BIGINT NOT NULL,
  issued BIGINT NOT NULL,
  skipped BIGINT NOT NULL,
  state TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
