-- The operational store, first version: what is written one record at a time.
-- Portable SQL for SQLite and PostgreSQL; {{id}} is each engine's auto-numbered primary key.
-- Times are UTC ISO-8601 text (fixed width, so they order as text on both engines).

CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  audit_id {{id}},
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  detail TEXT
);

-- One row per natural key and entity; content is the record as canonical JSON (sorted keys).
CREATE TABLE ingest_inbox (
  record_id {{id}},
  entity TEXT NOT NULL,
  natural_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  content TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT,
  received_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  loaded_at TEXT,
  import_id BIGINT,
  sender TEXT,
  UNIQUE (entity, natural_key)
);
CREATE INDEX ingest_inbox_state ON ingest_inbox (state, record_id);

-- Every accepted change of a stored record (an order's progress), with what moved.
CREATE TABLE ingest_history (
  record_id BIGINT NOT NULL,
  version INTEGER NOT NULL,
  content TEXT NOT NULL,
  changes TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (record_id, version)
);

-- Hand-offs between the stores: last run, its outcome, what it moved.
CREATE TABLE handoffs (
  name TEXT PRIMARY KEY,
  last_run_at TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL
);

-- Published by the analytical store after each load and refresh: identifier -> member, and each
-- member's current scores, so operational routes never need the analytical store.
CREATE TABLE published_identities (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  value TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY (kind, scope, value)
);
CREATE INDEX published_identities_member ON published_identities (member_id);

CREATE TABLE published_members (
  member_id TEXT PRIMARY KEY,
  as_of TEXT,
  stage TEXT,
  rfm_group TEXT,
  tags TEXT
);
