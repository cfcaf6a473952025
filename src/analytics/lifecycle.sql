-- name: compute
-- Lifecycle stage of every member at each date of $1 (a JSON list of dates; first rule that
-- applies wins). Only the last 365 days before a date are read: whether a member had a first
-- or a second occasion by then comes from the first and second occasion days, and a member
-- whose latest occasion is older than that is Lapsed by any of the rules.
-- Written straight into member_lifecycle (the caller deletes those dates first), each date's
-- members sorted by ID, so a lookup by member (the profile, the member list) reads one row group
-- per date instead of scanning them all.
INSERT INTO member_lifecycle
WITH dates AS (SELECT DISTINCT unnest(from_json($1, '["DATE"]')) AS d),
bounds AS (SELECT min(d) AS lo, max(d) AS hi FROM dates),
firsts AS (SELECT member_id, first_day, second_day FROM member_first_occasions),
recent AS (
  SELECT q.d, o.member_id, max(o.day) AS last_day, count(*) AS n365
  FROM purchase_occasions o JOIN dates q ON o.day > q.d - 365 AND o.day <= q.d
  WHERE o.day > (SELECT lo FROM bounds) - 365 AND o.day <= (SELECT hi FROM bounds)
  GROUP BY q.d, o.member_id
),
eng AS (
  SELECT DISTINCT e.d, i.member_id
  FROM (SELECT DISTINCT q.d, e.actor_id FROM events e JOIN dates q ON e.occurred_at >= q.d - 179 AND e.occurred_at < q.d + 1
        WHERE e.type IN ('view', 'cart', 'favourite', 'inquiry', 'review', 'share', 'community_join', 'community_post')
          AND e.occurred_at >= (SELECT lo FROM bounds) - 179 AND e.occurred_at < (SELECT hi FROM bounds) + 1) e
  JOIN identities i ON i.identity_id = e.actor_id
  WHERE i.member_id IS NOT NULL
)
SELECT q.d AS as_of, m.member_id,
  CASE
    WHEN f.first_day IS NULL OR f.first_day > q.d THEN CASE WHEN g.member_id IS NOT NULL THEN 'Prospect' ELSE 'Suspect' END
    WHEN f.first_day >= q.d - 44 THEN 'New'
    WHEN r.last_day IS NULL OR q.d - r.last_day > 180 THEN 'Lapsed'
    WHEN f.second_day <= q.d AND q.d - r.last_day <= 90 THEN CASE WHEN r.n365 >= 4 THEN 'Fan' ELSE 'Regular' END
    ELSE 'Holding'
  END AS stage
FROM members m CROSS JOIN dates q
LEFT JOIN firsts f ON f.member_id = m.member_id
LEFT JOIN recent r ON r.member_id = m.member_id AND r.d = q.d
LEFT JOIN eng g ON g.member_id = m.member_id AND g.d = q.d
ORDER BY q.d, m.member_id;

-- name: counts
SELECT stage, count(*) AS members FROM member_lifecycle WHERE as_of = $1::DATE GROUP BY stage
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
