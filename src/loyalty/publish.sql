-- The loyalty hand-off to the analytical store (publish.ts). `figures` runs on the operational
-- store (SQLite or PostgreSQL: ? placeholders); the others on DuckDB.

-- name: figures
SELECT a.account_id, a.member_id, a.tier, a.debt,
       COALESCE(SUM(CASE WHEN l.state = 'open' AND l.pending_until <= ? AND l.expires_at > ? THEN l.remaining ELSE 0 END), 0) AS available,
       COALESCE(SUM(CASE WHEN l.state = 'open' AND l.expires_at > ? AND l.expires_at <= ? THEN l.remaining ELSE 0 END), 0) AS expiring,
       COALESCE(SUM(CASE WHEN e.kind = 'earn' THEN l.points ELSE 0 END), 0) AS earned
FROM loyalty_accounts a
LEFT JOIN loyalty_lots l ON l.account_id = a.account_id
LEFT JOIN loyalty_entries e ON e.entry_id = l.entry_id
WHERE a.programme_id = ? AND a.member_id IS NOT NULL AND a.merged_into IS NULL AND a.account_id BETWEEN ? AND ?
GROUP BY a.account_id, a.member_id, a.tier, a.debt;

-- name: clear
DELETE FROM member_loyalty WHERE programme_id = $1;

-- name: insert
INSERT INTO member_loyalty
SELECT $1, r.member_id, r.tier, CAST(r.balance AS BIGINT), CAST(r.expiring AS BIGINT), CAST(r.earned AS BIGINT), $2::TIMESTAMP
FROM (SELECT unnest(from_json($3, '[{"member_id":"VARCHAR","tier":"VARCHAR","balance":"VARCHAR","expiring":"VARCHAR","earned":"VARCHAR"}]')) AS r);
