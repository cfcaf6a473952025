-- 013: each member row lists its identity IDs, rebuilt with the row whenever resolution touches
-- the member. identities.member_id cannot carry an index (resolution rewrites it in bulk), so
-- this list is how one member's identities, orders, returns, events and consents are found by
-- lookups instead of scans. The table is rebuilt to add the column with its NOT NULL default.
CREATE TABLE members_new (
  member_id            VARCHAR PRIMARY KEY,
  anchor_identity_id   BIGINT NOT NULL,
  name                 VARCHAR,
  gender               VARCHAR,
  birthday             DATE,
  city                 VARCHAR,
  registration_channel VARCHAR,
  registered_at        TIMESTAMP,
  first_seen           TIMESTAMP,
  identity_count       INTEGER NOT NULL,
  updated_at           TIMESTAMP NOT NULL,
  identity_ids         BIGINT[] NOT NULL DEFAULT []
);
INSERT INTO members_new
SELECT m.*, coalesce(x.ids, []::BIGINT[])
FROM members m
LEFT JOIN (SELECT member_id, list(identity_id ORDER BY identity_id) AS ids FROM identities WHERE member_id IS NOT NULL GROUP BY member_id) x USING (member_id)
ORDER BY m.member_id;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
