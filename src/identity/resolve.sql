-- name: quarantine
-- Identifiers shared by too many accounts (whole graph): never merged on.
CREATE OR REPLACE TEMP TABLE _quarantine_new AS
SELECT l.identity_id,
       count(DISTINCT l.anchor_id)::INTEGER AS account_count,
       max(per_channel)::INTEGER AS max_per_channel
FROM (
  SELECT l.identity_id, l.anchor_id,
         count(*) OVER (PARTITION BY l.identity_id, a.scope) AS per_channel
  FROM (SELECT DISTINCT anchor_id, identity_id FROM identity_links WHERE anchor_id <> identity_id) l
  JOIN identities a ON a.identity_id = l.anchor_id
  JOIN identities i ON i.identity_id = l.identity_id
  WHERE i.scope = ''
) l
GROUP BY l.identity_id
HAVING count(DISTINCT l.anchor_id) > $1 OR max(per_channel) > $2;

-- name: nodes
-- The identities to resolve, in canonical order: first seen earliest, then by value.
CREATE OR REPLACE TEMP TABLE _res_nodes AS
SELECT (row_number() OVER (ORDER BY i.first_seen NULLS LAST, i.value, i.kind, i.scope) - 1)::INTEGER AS node,
       i.identity_id, i.member_id AS old_member_id, i.kind, i.scope, i.value
FROM identities i JOIN _res_scope s USING (identity_id);

-- name: nodes_all
-- The same over every identity (a full resolution).
CREATE OR REPLACE TEMP TABLE _res_nodes AS
SELECT (row_number() OVER (ORDER BY i.first_seen NULLS LAST, i.value, i.kind, i.scope) - 1)::INTEGER AS node,
       i.identity_id, i.member_id AS old_member_id, i.kind, i.scope, i.value
FROM identities i;

-- name: edges
-- Merging edges inside the scope, in canonical order. (Links are materialized first so the
-- planner never pairs every node with every other.)
WITH l AS MATERIALIZED (
  SELECT DISTINCT anchor_id, identity_id FROM identity_links
  WHERE anchor_id <> identity_id
    AND identity_id NOT IN (SELECT identity_id FROM identity_quarantine)
    AND anchor_id NOT IN (SELECT identity_id FROM identity_quarantine)
), la AS MATERIALIZED (
  SELECT a.node AS an, l.identity_id FROM l JOIN _res_nodes a ON a.identity_id = l.anchor_id
)
SELECT least(la.an, b.node) AS x, greatest(la.an, b.node) AS y
FROM la JOIN _res_nodes b ON b.identity_id = la.identity_id
WHERE b.scope <> '' OR list_contains($1::VARCHAR[], b.kind)
ORDER BY x, y;

-- name: forbidden
SELECT a.node AS x, b.node AS y
FROM do_not_merge d
JOIN _res_nodes a ON a.identity_id = d.identity_a
JOIN _res_nodes b ON b.identity_id = d.identity_b;

-- name: assign
-- Each node's component, its survivor (lowest canonical node) and the member ID derived from it.
-- A quarantined identifier, or one that only ever appeared beside an account and joins nothing,
-- belongs to no member of its own (member_id NULL).
CREATE OR REPLACE TEMP TABLE _res_assign AS
WITH surv AS (
  SELECT u.root AS survivor_node, count(*) AS size FROM _res_uf u GROUP BY u.root
), named AS (
  SELECT v.survivor_node, v.size, s.identity_id AS survivor_identity_id,
         'M' || upper(left(sha256(s.kind || '|' || s.scope || '|' || s.value), 16)) AS member_id
  FROM surv v JOIN _res_nodes s ON s.node = v.survivor_node
), anchors AS (
  SELECT DISTINCT anchor_id FROM identity_links
)
SELECT n.identity_id, n.old_member_id, u.root, m.survivor_identity_id,
       CASE WHEN n.identity_id IN (SELECT identity_id FROM identity_quarantine)
              OR (m.size = 1 AND n.identity_id NOT IN (SELECT anchor_id FROM anchors)) THEN NULL
            ELSE m.member_id END AS member_id
FROM _res_nodes n JOIN _res_uf u ON u.node = n.node JOIN named m ON m.survivor_node = u.root;

-- name: merges
-- Members merged by this resolution: one row per (new member, absorbed old member) with an
-- identifier that links accounts of both (NULL when none does).
CREATE OR REPLACE TEMP TABLE _merges AS
WITH olds AS (
  SELECT DISTINCT member_id, old_member_id FROM _res_assign WHERE old_member_id IS NOT NULL
), multi AS (
  SELECT member_id FROM olds GROUP BY member_id HAVING count(*) > 1
), via AS (
  SELECT a.member_id, an.old_member_id AS old_id, l.identity_id
  FROM identity_links l
  JOIN _res_assign an ON an.identity_id = l.anchor_id
  JOIN _res_assign a ON a.identity_id = l.identity_id
  WHERE a.member_id IN (SELECT member_id FROM multi) AND l.anchor_id <> l.identity_id
)
SELECT o.member_id, o.old_member_id,
       (SELECT min(v.identity_id) FROM via v
        WHERE v.member_id = o.member_id AND v.old_id = o.old_member_id
          AND EXISTS (SELECT 1 FROM via w WHERE w.identity_id = v.identity_id AND w.old_id IS DISTINCT FROM o.old_member_id)) AS via
FROM olds o
WHERE o.member_id IN (SELECT member_id FROM multi) AND o.old_member_id <> o.member_id
ORDER BY 1, 2;
