-- Definitions people edit while a server runs: saved segments, campaigns and message channels.
-- They were analytical tables before; a database made by an earlier version moves them across
-- once when it is opened (open.ts). Analytical steps read them here and hand what they need to
-- DuckDB (a rule compiled to SQL with bound parameters, a campaign's definition), never by a join.

-- name_key is the name folded for comparison (trimmed, lower case): names are unique under it.
CREATE TABLE segments (
  segment_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- status: draft, launched, failed; a launched campaign's definition is frozen.
CREATE TABLE campaigns (
  campaign_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  status TEXT NOT NULL,
  failure TEXT,
  failed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- config is JSON and may hold secrets; listings mask them.
CREATE TABLE message_channels (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
