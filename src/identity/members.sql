-- Rebuilds the member rows of every member touched by the current resolution (_res_assign).
-- name: delete
DELETE FROM members
WHERE member_id IN (SELECT member_id FROM _res_assign)
   OR member_id IN (SELECT old_member_id FROM _res_assign WHERE old_member_id IS NOT NULL);

-- name: insert
INSERT INTO members
WITH ids AS (
  SELECT a.member_id, a.survivor_identity_id, i.identity_id, i.first_seen
  FROM _res_assign a JOIN identities i USING (identity_id)
  WHERE a.member_id IS NOT NULL
), base AS (
  SELECT member_id, any_value(survivor_identity_id) AS anchor, min(first_seen) AS first_seen, count(*)::INTEGER AS n,
         list(identity_id ORDER BY identity_id) AS identity_ids
  FROM ids GROUP BY member_id
), recs AS (
  SELECT ids.member_id, r.*
  FROM ids JOIN member_records r ON r.anchor_id = ids.identity_id
), attrs AS (
  SELECT member_id,
    arg_min(name, (registered_at, channel_id, external_id)) FILTER (WHERE name IS NOT NULL) AS name,
    arg_min(gender, (registered_at, channel_id, external_id)) FILTER (WHERE gender IS NOT NULL) AS gender,
    arg_min(birthday, (registered_at, channel_id, external_id)) FILTER (WHERE birthday IS NOT NULL) AS birthday,
    arg_min(city, (registered_at, channel_id, external_id)) FILTER (WHERE city IS NOT NULL) AS city,
    arg_min(channel_id, (registered_at, channel_id, external_id)) FILTER (WHERE registered_at IS NOT NULL) AS registration_channel,
    min(registered_at) AS registered_at
  FROM recs GROUP BY member_id
)
SELECT b.member_id, b.anchor, a.name, a.gender, a.birthday, a.city, a.registration_channel, a.registered_at,
       b.first_seen, b.n, $1::TIMESTAMP, b.identity_ids
FROM base b LEFT JOIN attrs a USING (member_id);
