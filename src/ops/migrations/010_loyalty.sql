-- Loyalty: programmes, accounts, the append-only points ledger, lots, tiers (docs/loyalty.md).
-- Points are BIGINT; money is decimal text; times are UTC ISO text.

-- Idempotency keys of every write that a caller may retry (loyalty, coupons): one row per
-- (scope, key); the content hash tells a retry from a different request under the same key.
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  result_ref TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, idem_key)
);

CREATE TABLE loyalty_programmes (
  programme_id TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- An account is its own record: a member's ID can change (merges, unmerges, a first-time buyer
-- at a till before the loader has run). debt = points reversed or adjusted beyond open lots.
CREATE TABLE loyalty_accounts (
  account_id {{id}},
  programme_id TEXT NOT NULL,
  member_id TEXT,
  debt BIGINT NOT NULL DEFAULT 0,
  tier TEXT,
  tier_since TEXT,
  tier_year_ends TEXT,
  merged_into BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX loyalty_accounts_member ON loyalty_accounts (programme_id, member_id);

-- Identifiers presented when an account was opened or used (phone, card, ...): a till's
-- first-time buyer is found again by them before the member base knows the buyer.
CREATE TABLE loyalty_account_keys (
  programme_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  value TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  PRIMARY KEY (programme_id, kind, scope, value)
);

-- The ledger: every movement is a row; points is the signed change of the account's balance.
CREATE TABLE loyalty_entries (
  entry_id {{id}},
  programme_id TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  points BIGINT NOT NULL,
  cause TEXT NOT NULL,
  cause_ref TEXT,
  operator TEXT,
  reason TEXT,
  idem_key TEXT,
  related_entry BIGINT,
  at TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX loyalty_entries_account ON loyalty_entries (account_id, entry_id);
CREATE INDEX loyalty_entries_at ON loyalty_entries (programme_id, kind, at);

-- Each earn is a lot; remaining changes only together with a lot move of an entry.
CREATE TABLE loyalty_lots (
  lot_id {{id}},
  programme_id TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  entry_id BIGINT NOT NULL,
  order_id TEXT,
  earned_by TEXT NOT NULL,
  points BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  earned_at TEXT NOT NULL,
  pending_until TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX loyalty_lots_account ON loyalty_lots (account_id, state, expires_at, earned_at);
CREATE INDEX loyalty_lots_expiry ON loyalty_lots (programme_id, state, expires_at);

-- Which lots an entry took from or gave to (signed), and debt changes (lot_id NULL).
CREATE TABLE loyalty_lot_moves (
  entry_id BIGINT NOT NULL,
  lot_id BIGINT,
  points BIGINT NOT NULL
);
CREATE INDEX loyalty_lot_moves_entry ON loyalty_lot_moves (entry_id);
CREATE INDEX loyalty_lot_moves_lot ON loyalty_lot_moves (lot_id);

-- What an order earned, and its returns so far (cumulative reversal).
CREATE TABLE loyalty_orders (
  programme_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  base TEXT NOT NULL,
  points BIGINT NOT NULL,
  returned TEXT NOT NULL,
  reversed BIGINT NOT NULL,
  cancelled INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  PRIMARY KEY (programme_id, order_id)
);
CREATE INDEX loyalty_orders_account ON loyalty_orders (account_id, paid_at);

-- Points counted against earn caps per period (member and global), locked when updated.
CREATE TABLE loyalty_cap_usage (
  programme_id TEXT NOT NULL,
  cap_key TEXT NOT NULL,
  period TEXT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (programme_id, cap_key, period)
);

CREATE TABLE loyalty_tier_history (
  account_id BIGINT NOT NULL,
  at TEXT NOT NULL,
  from_tier TEXT,
  to_tier TEXT,
  reason TEXT NOT NULL,
  qualifying BIGINT NOT NULL
);
CREATE INDEX loyalty_tier_history_account ON loyalty_tier_history (account_id, at);
