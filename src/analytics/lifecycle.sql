-- name: stage_rule
-- The stage rule (first rule that applies wins), as a macro so that the three dates below share
-- one spelling of it. d = the date; first/second = the first and second occasion days; last/n =
-- the latest occasion and the number of occasions in the 365 days to d; engaged = an engagement
-- event in the 180 days to d.
CREATE OR REPLACE TEMP MACRO _stage(d, first, second, last, n, engaged) AS
  CASE
    WHEN first IS NULL OR first > d THEN CASE WHEN engaged THEN 'Prospect' ELSE 'Suspect' END
    WHEN first >= d - 44 THEN 'New'
    WHEN last IS NULL OR d - last > 180 THEN 'Lapsed'
    WHEN second <= d AND d - last <= 90 THEN CASE WHEN n >= 4 THEN 'Fan' ELSE 'Regular' END
    ELSE 'Holding'
  END;

-- name: compute
-- Every member's lifecycle stage at three dates ($1, $2, $3; a caller that needs fewer repeats
-- one), one row per member with a stage per date (s1, s2, s3), into the temporary table _stages.
-- Only the last 365 days before a date are read: whether a member had a first or a second
-- occasion by then comes from the first and second occasion days, and a member whose latest
-- occasion is older than that is Lapsed by any of the rules. Occasions and engagement events are
-- grouped once per member with a filtered aggregate per date (not once per date and member), and
-- the migration matrix between two of the dates is a grouping of this one table, not a join.
CREATE OR REPLACE TEMP TABLE _stages AS
WITH q AS (SELECT $1::DATE AS d1, $2::DATE AS d2, $3::DATE AS d3),
bounds AS (SELECT least(d1, d2, d3) AS lo, greatest(d1, d2, d3) AS hi FROM q),
recent AS (
  SELECT o.member_id,
         max(o.day) FILTER (WHERE o.day > q.d1 - 365 AND o.day <= q.d1) AS last1, count(*) FILTER (WHERE o.day > q.d1 - 365 AND o.day <= q.d1) AS n1,
         max(o.day) FILTER (WHERE o.day > q.d2 - 365 AND o.day <= q.d2) AS last2, count(*) FILTER (WHERE o.day > q.d2 - 365 AND o.day <= q.d2) AS n2,
         max(o.day) FILTER (WHERE o.day > q.d3 - 365 AND o.day <= q.d3) AS last3, count(*) FILTER (WHERE o.day > q.d3 - 365 AND o.day <= q.d3) AS n3
  FROM purchase_occasions o, q
  WHERE o.day > (SELECT lo FROM bounds) - 365 AND o.day <= (SELECT hi FROM bounds)
  GROUP BY o.member_id
),
eng AS (
  -- Distinct actors first: the join to identities then builds on far fewer rows.
  SELECT i.member_id, bool_or(e.g1) AS g1, bool_or(e.g2) AS g2, bool_or(e.g3) AS g3
  FROM (
    SELECT e.actor_id,
           bool_or(e.occurred_at >= q.d1 - 179 AND e.occurred_at < q.d1 + 1) AS g1,
           bool_or(e.occurred_at >= q.d2 - 179 AND e.occurred_at < q.d2 + 1) AS g2,
           bool_or(e.occurred_at >= q.d3 - 179 AND e.occurred_at < q.d3 + 1) AS g3
    FROM events e, q
    WHERE e.type IN ('view', 'cart', 'favourite', 'inquiry', 'review', 'share', 'community_join', 'community_post')
      AND e.occurred_at >= (SELECT lo FROM bounds) - 179 AND e.occurred_at < (SELECT hi FROM bounds) + 1
    GROUP BY e.actor_id
  ) e
  JOIN identities i ON i.identity_id = e.actor_id
  WHERE i.member_id IS NOT NULL
  GROUP BY i.member_id
)
-- A member first seen after a date has no stage on it (NULL): it did not exist yet. First seen is
-- the earliest of the member's identities and its first purchase occasion.
SELECT m.member_id,
       CASE WHEN least(m.first_seen::DATE, f.first_day) > q.d1 THEN NULL ELSE _stage(q.d1, f.first_day, f.second_day, r.last1, r.n1, coalesce(g.g1, false)) END AS s1,
       CASE WHEN least(m.first_seen::DATE, f.first_day) > q.d2 THEN NULL ELSE _stage(q.d2, f.first_day, f.second_day, r.last2, r.n2, coalesce(g.g2, false)) END AS s2,
       CASE WHEN least(m.first_seen::DATE, f.first_day) > q.d3 THEN NULL ELSE _stage(q.d3, f.first_day, f.second_day, r.last3, r.n3, coalesce(g.g3, false)) END AS s3
FROM members m CROSS JOIN q
LEFT JOIN member_first_occasions f ON f.member_id = m.member_id
LEFT JOIN recent r ON r.member_id = m.member_id
LEFT JOIN eng g ON g.member_id = m.member_id;

-- name: store
-- One date's stages ($2 = which of the three columns holds $1) into member_lifecycle, sorted by
-- member, so a lookup by member (the profile, the member list) reads one row group per date
-- instead of scanning them all. The caller deletes that date first.
INSERT INTO member_lifecycle
SELECT $1::DATE, member_id, [s1, s2, s3][$2::INTEGER] FROM _stages WHERE [s1, s2, s3][$2::INTEGER] IS NOT NULL ORDER BY member_id;

-- name: counts
SELECT stage, count(*) AS members FROM member_lifecycle WHERE as_of = $1::DATE GROUP BY stage
ORDER BY CASE stage WHEN 'Suspect' THEN 0 WHEN 'Prospect' THEN 1 WHEN 'New' THEN 2 WHEN 'Regular' THEN 3
  WHEN 'Fan' THEN 4 WHEN 'Holding' THEN 5 ELSE 6 END;

-- name: migration
-- Stage-to-stage matrix between two of the dates of _stages ($1 = the column of the earlier
-- date, $2 = the column of the later one).
WITH ranks(stage, rank) AS (VALUES ('Suspect', 0), ('Prospect', 1), ('Lapsed', 1), ('Holding', 2), ('New', 3), ('Regular', 4), ('Fan', 5)),
pairs AS (
  SELECT [s1, s2, s3][$1::INTEGER] AS from_stage, [s1, s2, s3][$2::INTEGER] AS to_stage, count(*) AS members
  FROM _stages WHERE [s1, s2, s3][$2::INTEGER] IS NOT NULL GROUP BY ALL
)
SELECT p.from_stage, p.to_stage, p.members,
       CASE WHEN rt.rank = rf.rank THEN 'same' WHEN rt.rank > rf.rank THEN 'positive' ELSE 'negative' END AS direction
FROM pairs p JOIN ranks rf ON rf.stage = p.from_stage JOIN ranks rt ON rt.stage = p.to_stage
ORDER BY p.from_stage, p.to_stage;
