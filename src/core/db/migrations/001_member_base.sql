-- 001: the canonical member base. Money is DECIMAL(18,4); timestamps are shop-local.

CREATE TABLE settings (
  key        VARCHAR PRIMARY KEY,
  value      VARCHAR NOT NULL,          -- JSON text
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE channels (
  channel_id VARCHAR PRIMARY KEY,
  name       VARCHAR,
  kind       VARCHAR                    -- marketplace, webshop, miniapp, pos, community, other
);

CREATE TABLE stores (
  channel_id VARCHAR NOT NULL,
  store_id   VARCHAR NOT NULL,
  name       VARCHAR,
  city       VARCHAR,
  PRIMARY KEY (channel_id, store_id)
);

CREATE TABLE imports (
  import_id   BIGINT PRIMARY KEY,
  file        VARCHAR NOT NULL,
  sha256      VARCHAR NOT NULL,
  preset      VARCHAR NOT NULL,
  entity      VARCHAR NOT NULL,
  channel_id  VARCHAR,
  started_at  TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  report      VARCHAR NOT NULL          -- JSON report
);
CREATE SEQUENCE import_seq START 1;

-- Every identifier ever seen. scope is the channel for channel-scoped kinds
-- (buyer IDs, openids, POS cards, shop customer IDs) and '' for global kinds (phone, email, unionid).
CREATE TABLE identities (
  identity_id BIGINT PRIMARY KEY,
  kind        VARCHAR NOT NULL,
  scope       VARCHAR NOT NULL,
  value       VARCHAR NOT NULL,
  first_seen  TIMESTAMP,
  last_seen   TIMESTAMP,
  import_id   BIGINT,                   -- the import that first brought it
  member_id   VARCHAR,                  -- current member (NULL until resolved)
  UNIQUE (kind, scope, value)
);
CREATE SEQUENCE identity_seq START 1;

-- Co-occurrence of an account identity (the record's anchor) with another identifier.
CREATE TABLE identity_links (
  anchor_id   BIGINT NOT NULL,
  identity_id BIGINT NOT NULL,
  first_seen  TIMESTAMP,
  import_id   BIGINT
  -- natural key (anchor_id, identity_id)
);

CREATE TABLE members (
  member_id            VARCHAR PRIMARY KEY,
  anchor_identity_id   BIGINT NOT NULL,  -- the identity first seen earliest; the ID derives from it
  name                 VARCHAR,
  gender               VARCHAR,
  birthday             DATE,
  city                 VARCHAR,
  registration_channel VARCHAR,
  registered_at        TIMESTAMP,
  first_seen           TIMESTAMP,
  identity_count       INTEGER NOT NULL,
  updated_at           TIMESTAMP NOT NULL
);

-- A merged-away or renamed member ID and the member it now resolves to.
CREATE TABLE member_aliases (
  old_member_id VARCHAR PRIMARY KEY,
  member_id     VARCHAR NOT NULL,
  since         TIMESTAMP NOT NULL
);

-- Merge audit: merges, unmerges, renames, quarantines.
CREATE TABLE merge_events (
  event_id         BIGINT PRIMARY KEY,
  occurred_at      TIMESTAMP NOT NULL,
  action           VARCHAR NOT NULL,     -- merge, unmerge, rename, quarantine, release
  member_id        VARCHAR,              -- surviving / resulting member
  other_member_id  VARCHAR,              -- merged-away / split-off member
  via_identity_id  BIGINT,               -- the identifier that joined (or was cut)
  import_id        BIGINT,
  detail           VARCHAR
);
CREATE SEQUENCE merge_event_seq START 1;

-- Pairs of account identities that must never be one member (left by unmerge).
CREATE TABLE do_not_merge (
  identity_a BIGINT NOT NULL,
  identity_b BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  reason     VARCHAR,
  PRIMARY KEY (identity_a, identity_b)
);

-- Identifiers judged too widely shared to merge on (placeholder phones, family emails).
CREATE TABLE identity_quarantine (
  identity_id    BIGINT PRIMARY KEY,
  account_count  INTEGER NOT NULL,
  max_per_channel INTEGER NOT NULL,
  since          TIMESTAMP NOT NULL
);

-- Member attributes as each source record gave them; members takes the merged view.
CREATE TABLE member_records (
  channel_id     VARCHAR NOT NULL,
  external_id    VARCHAR NOT NULL,
  anchor_id      BIGINT NOT NULL,
  name           VARCHAR,
  gender         VARCHAR,
  birthday       DATE,
  city           VARCHAR,
  registered_at  TIMESTAMP,
  import_id      BIGINT,
  PRIMARY KEY (channel_id, external_id)
);

CREATE TABLE consents (
  anchor_id      BIGINT NOT NULL,
  contact_channel VARCHAR NOT NULL,     -- sms, email, wechat, phone, push, mail
  status         VARCHAR NOT NULL,      -- granted, withdrawn
  changed_at     TIMESTAMP NOT NULL,
  source         VARCHAR,
  import_id      BIGINT,
  PRIMARY KEY (anchor_id, contact_channel, changed_at)
);

CREATE TABLE products (
  sku           VARCHAR PRIMARY KEY,
  name          VARCHAR,
  category_path VARCHAR,                 -- 'Women > Shoes > Sneakers'
  brand         VARCHAR,
  list_price    DECIMAL(18,4),
  cost          DECIMAL(18,4),
  launched_at   DATE,
  is_product    BOOLEAN NOT NULL DEFAULT TRUE,
  import_id     BIGINT
);

CREATE TABLE orders (
  channel_id     VARCHAR NOT NULL,
  order_id       VARCHAR NOT NULL,
  buyer_id       BIGINT,                 -- anchor identity; NULL = guest order
  store_id       VARCHAR,
  agent_id       VARCHAR,
  created_at     TIMESTAMP NOT NULL,
  paid_at        TIMESTAMP,
  shipped_at     TIMESTAMP,
  completed_at   TIMESTAMP,
  cancelled_at   TIMESTAMP,
  status         VARCHAR NOT NULL,       -- created, paid, shipped, completed, cancelled, closed
  item_total     DECIMAL(18,4),
  discount       DECIMAL(18,4),
  shipping       DECIMAL(18,4),
  paid_amount    DECIMAL(18,4),
  coupon_codes   VARCHAR,
  import_id      BIGINT,
  PRIMARY KEY (channel_id, order_id)
);

CREATE TABLE order_lines (
  channel_id   VARCHAR NOT NULL,
  order_id     VARCHAR NOT NULL,
  line_no      INTEGER NOT NULL,
  sku          VARCHAR,
  name         VARCHAR,
  line_type    VARCHAR NOT NULL,         -- product, postage, fee, adjustment, discount, sample, bad_debt, commission
  quantity     INTEGER NOT NULL,
  unit_price   DECIMAL(18,4) NOT NULL,
  list_price   DECIMAL(18,4),
  cost         DECIMAL(18,4),
  amount       DECIMAL(18,4) NOT NULL,   -- line value as charged (quantity x unit price unless the source says otherwise)
  import_id    BIGINT
  -- natural key (channel_id, order_id, line_no), enforced by the importer's anti-join;
  -- no index, so bulk loads of hundreds of millions of lines stay fast
);

CREATE TABLE returns (
  channel_id   VARCHAR NOT NULL,
  return_id    VARCHAR NOT NULL,
  line_no      INTEGER NOT NULL,
  order_id     VARCHAR,                  -- NULL = unmatched return
  order_line_no INTEGER,
  buyer_id     BIGINT,
  sku          VARCHAR,
  line_type    VARCHAR NOT NULL,
  quantity     INTEGER NOT NULL,         -- positive: units returned
  amount       DECIMAL(18,4) NOT NULL,   -- positive: money returned
  reason       VARCHAR,
  returned_at  TIMESTAMP NOT NULL,
  import_id    BIGINT
  -- natural key (channel_id, return_id, line_no), enforced by the importer's anti-join
);

CREATE TABLE events (
  channel_id   VARCHAR NOT NULL,
  event_id     VARCHAR NOT NULL,
  actor_id     BIGINT,                   -- anchor identity; NULL = anonymous visitor
  type         VARCHAR NOT NULL,
  occurred_at  TIMESTAMP NOT NULL,
  session_id   VARCHAR,
  source       VARCHAR,                  -- traffic source: search, ads, affiliate, social, community, direct
  sku          VARCHAR,
  category     VARCHAR,
  query        VARCHAR,
  dwell_seconds INTEGER,
  agent_id     VARCHAR,
  direction    VARCHAR,                  -- inbound (customer) / outbound (agent)
  word_count   INTEGER,
  rating       INTEGER,
  text         VARCHAR,
  order_id     VARCHAR,
  campaign_id  VARCHAR,
  coupon_code  VARCHAR,
  properties   VARCHAR,                  -- JSON text for custom types
  import_id    BIGINT
  -- natural key (channel_id, event_id), enforced by the importer's anti-join
);
