-- name: insert
INSERT INTO segments VALUES ($1, $2, $3, $4::TIMESTAMP, $4::TIMESTAMP);

-- name: update
UPDATE segments SET name = $2, rule = $3, updated_at = $4::TIMESTAMP WHERE segment_id = $1;

-- name: get
SELECT segment_id, name, rule, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at, strftime(updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at
FROM segments WHERE segment_id = $1;

-- name: list
SELECT s.segment_id, s.name, strftime(s.updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at,
       (SELECT size FROM segment_snapshots p WHERE p.segment_id = s.segment_id ORDER BY snapshot_id DESC LIMIT 1) AS last_size,
       (SELECT strftime(as_of, '%Y-%m-%d') FROM segment_snapshots p WHERE p.segment_id = s.segment_id ORDER BY snapshot_id DESC LIMIT 1) AS last_as_of
FROM segments s ORDER BY s.name, s.segment_id;

-- name: history
SELECT snapshot_id, strftime(as_of, '%Y-%m-%d') AS as_of, strftime(taken_at, '%Y-%m-%d %H:%M:%S') AS taken_at, size
FROM segment_snapshots WHERE segment_id = $1 ORDER BY snapshot_id;

-- name: snapshot_row
INSERT INTO segment_snapshots VALUES ($1, $2, $3::DATE, $4::TIMESTAMP, $5, 0);

-- name: snapshot_size
UPDATE segment_snapshots SET size = (SELECT count(*) FROM segment_members WHERE snapshot_id = $1) WHERE snapshot_id = $1;

-- name: latest_snapshot
SELECT snapshot_id FROM segment_snapshots WHERE segment_id = $1 ORDER BY snapshot_id DESC LIMIT 1;

-- name: export
-- The members of a snapshot with a name and their first phone and email.
SELECT s.member_id, m.name,
       (SELECT min(value) FROM identities i WHERE i.member_id = s.member_id AND i.kind = 'phone') AS phone,
       (SELECT min(value) FROM identities i WHERE i.member_id = s.member_id AND i.kind = 'email') AS email
FROM segment_members s LEFT JOIN members m USING (member_id)
WHERE s.snapshot_id = $1 ORDER BY s.member_id;

-- name: delete_members
DELETE FROM segment_members WHERE snapshot_id IN (SELECT snapshot_id FROM segment_snapshots WHERE segment_id = $1);

-- name: delete_snapshots
DELETE FROM segment_snapshots WHERE segment_id = $1;

-- name: delete
DELETE FROM segments WHERE segment_id = $1;
