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

-- The latest snapshot of every segment (size and as-of date), keyed by segment ID.
-- name: latest_snapshots
SELECT segment_id, arg_max(size, snapshot_id) AS size, strftime(arg_max(as_of, snapshot_id), '%Y-%m-%d') AS as_of
FROM segment_snapshots GROUP BY segment_id;

