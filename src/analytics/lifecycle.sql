-- name: compute
-- Lifecycle stage of every member as of $1 (first rule that applies wins).
CREATE OR REPLACE TEMP TABLE _lifecycle AS
WITH occ AS (SELECT member_id, day FROM purchase_occasions WHERE day <= $1::DATE),
s AS (
  SELECT member_id, min(day) AS first_day, max(day) AS last_day, count(*) AS n,
         count(*) FILTER (WHERE day > $1::DATE - 365) AS n365
  FROM occ GROUP BY member_id
),
eng AS (
  SELECT DISTINCT i.member_id
  FROM (SELECT DISTINCT actor_id FROM events e
        WHERE e.type IN ('view', 'cart', 'favourite', 'inquiry', 'review', 'share', 'community_join', 'community_post')
          AND e.occurred_at >= $1::DATE - 179 AND e.occurred_at < $1::DATE + 1) e
  JOIN identities i ON i.identity_id = e.actor_id
  WHERE i.member_id IS NOT NULL
)
SELECT m.member_id,
  CASE
    WHEN s.member_id IS NULL THEN CASE WHEN eng.member_id IS NOT NULL THEN 'Prospect' ELSE 'Suspect' END
    WHEN s.first_day >= $1::DATE - 44 THEN 'New'
    WHEN $1::DATE - s.last_day > 180 THEN 'Lapsed'
    WHEN s.n >= 2 AND $1::DATE - s.last_day <= 90 THEN CASE WHEN s.n365 >= 4 THEN 'Fan' ELSE 'Regular' END
    ELSE 'Holding'
  END AS stage
FROM members m LEFT JOIN s USING (member_id) LEFT JOIN eng USING (member_id);

-- name: store
INSERT INTO member_lifecycle SELECT $1::DATE, member_id, stage FROM _lifecycle ORDER BY member_id;

-- name: counts
SELECT stage, count(*) AS members FROM _lifecycle GROUP BY stage
ORDER BY CASE stage WHEN 'Suspect' THEN 0 WHEN 'Prospect' THEN 1 WHEN 'New' THEN 2 WHEN 'Regular' THEN 3
  WHEN 'Fan' THEN 4 WHEN 'Holding' THEN 5 ELSE 6 END;

-- name: migration
-- Stage-to-stage matrix between the stages stored for $1 (from) and $2 (to).
WITH ranks(stage, rank) AS (VALUES ('Suspect', 0), ('Prospect', 1), ('Lapsed', 1), ('Holding', 2), ('New', 3), ('Regular', 4), ('Fan', 5)),
pairs AS (
  SELECT coalesce(a.stage, '(not a member yet)') AS from_stage, b.stage AS to_stage
  FROM member_lifecycle b LEFT JOIN member_lifecycle a ON a.member_id = b.member_id AND a.as_of = $1::DATE
  WHERE b.as_of = $2::DATE
)
SELECT p.from_stage, p.to_stage, count(*) AS members,
       CASE WHEN rf.rank IS NULL OR rt.rank = rf.rank THEN 'same' WHEN rt.rank > rf.rank THEN 'positive' ELSE 'negative' END AS direction
FROM pairs p LEFT JOIN ranks rf ON rf.stage = p.from_stage LEFT JOIN ranks rt ON rt.stage = p.to_stage
GROUP BY ALL ORDER BY p.from_stage, p.to_stage;
