-- 007: saved segments (rule trees as JSON), their membership snapshots and size history.
CREATE TABLE segments (
  segment_id  VARCHAR PRIMARY KEY,
  name        VARCHAR NOT NULL,
  rule        VARCHAR NOT NULL,          -- the validated rule tree, JSON
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE segment_snapshot_seq START 1;
CREATE TABLE segment_snapshots (
  snapshot_id BIGINT PRIMARY KEY,
  segment_id  VARCHAR NOT NULL,
  as_of       DATE NOT NULL,
  taken_at    TIMESTAMP NOT NULL,
  rule        VARCHAR NOT NULL,          -- the rule as it was when the snapshot was taken
  size        BIGINT NOT NULL
);

-- Members of each snapshot (no index: written and read in bulk by snapshot).
CREATE TABLE segment_members (
  snapshot_id BIGINT NOT NULL,
  member_id   VARCHAR NOT NULL
);
