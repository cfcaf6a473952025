-- name: by_member
SELECT coalesce((SELECT member_id FROM members WHERE member_id = $1),
                (SELECT member_id FROM member_aliases WHERE old_member_id = $1)) AS member_id;

-- name: by_identity
SELECT DISTINCT member_id FROM identities
WHERE member_id IS NOT NULL AND value = $1 AND ($2::VARCHAR IS NULL OR scope = $2) AND ($3::VARCHAR IS NULL OR kind = $3)
ORDER BY member_id;

-- name: profile
SELECT * EXCLUDE (identity_ids), to_json(identity_ids)::VARCHAR AS identity_ids FROM members WHERE member_id = $1;

-- name: identities
SELECT i.kind, CASE WHEN i.scope = '' THEN NULL ELSE i.scope END AS channel, i.value,
       strftime(i.first_seen, '%Y-%m-%d %H:%M:%S') AS first_seen, strftime(i.last_seen, '%Y-%m-%d %H:%M:%S') AS last_seen,
       i.import_id, q.identity_id IS NOT NULL AS quarantined
FROM identities i LEFT JOIN identity_quarantine q USING (identity_id)
WHERE i.identity_id IN (SELECT unnest(from_json($1, '["BIGINT"]'))) -- the member row's list: a lookup, not a scan
ORDER BY i.scope, i.kind, i.value;

-- name: order_ids
-- The order IDs of the member's identities ($1, a JSON list), as a JSON list.
SELECT to_json(coalesce(list(DISTINCT order_id), []))::VARCHAR AS ids FROM orders WHERE buyer_id IN (SELECT unnest(from_json($1, '["BIGINT"]')));

-- name: orders
-- $1 = the member's identity IDs, $2 = their order IDs (JSON lists: constant lists let DuckDB use
-- the indexes on orders.buyer_id and order_lines.order_id). Member-scoped: the member's orders first, then only their lines (the order_values view
-- would total every order's lines before the member filter applies).
WITH mo AS (
  SELECT o.* FROM orders o WHERE o.buyer_id IN (SELECT unnest(from_json($1, '["BIGINT"]')))
), l AS (
  SELECT channel_id, order_id,
         sum(amount) FILTER (WHERE line_type = 'product') AS product_value,
         sum(amount) FILTER (WHERE line_type <> 'product') AS other_value,
         count(*) AS lines
  FROM order_lines WHERE order_id IN (SELECT unnest(from_json($2, '["VARCHAR"]'))) -- the same ID in another channel drops out at the join below
  GROUP BY channel_id, order_id
), v AS (
  SELECT o.channel_id, o.order_id, o.created_at, o.status, o.paid_amount,
         coalesce(l.product_value, 0)::DECIMAL(18,4) AS product_value,
         coalesce(l.other_value, 0)::DECIMAL(18,4) AS other_value,
         coalesce(l.lines, 0) AS lines,
         (o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed')) AND coalesce(l.product_value, 0) > 0 AS is_purchase
  FROM mo o LEFT JOIN l USING (channel_id, order_id)
)
SELECT channel_id AS channel, order_id, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at, status,
       product_value::VARCHAR AS product_value, other_value::VARCHAR AS other_value, lines, is_purchase,
       paid_amount::VARCHAR AS paid_amount
FROM v
ORDER BY created_at, channel_id, order_id;

-- name: returns
SELECT channel_id AS channel, return_id, line_no, order_id, sku, quantity, amount::VARCHAR AS amount, reason,
       strftime(returned_at, '%Y-%m-%d %H:%M:%S') AS returned_at
FROM returns WHERE buyer_id IN (SELECT unnest(from_json($1, '["BIGINT"]')))
ORDER BY returned_at, channel_id, return_id, line_no;

-- name: events
SELECT e.type, count(*) AS count, strftime(min(e.occurred_at), '%Y-%m-%d %H:%M:%S') AS first_at, strftime(max(e.occurred_at), '%Y-%m-%d %H:%M:%S') AS last_at
FROM events e
WHERE e.actor_id IN (SELECT unnest(from_json($1, '["BIGINT"]')))
GROUP BY e.type ORDER BY count DESC, e.type;

-- name: merges
-- The member's merge history: events naming it, or naming a member ID that now points to it.
WITH m AS MATERIALIZED (
  SELECT * FROM merge_events WHERE member_id = $1
  UNION SELECT * FROM merge_events WHERE other_member_id = $1
  UNION SELECT * FROM merge_events WHERE other_member_id IN (SELECT old_member_id FROM member_aliases WHERE member_id = $1)
), via AS MATERIALIZED (
  SELECT identity_id, kind, value FROM identities WHERE identity_id IN (SELECT via_identity_id FROM m)
)
SELECT m.event_id, strftime(m.occurred_at, '%Y-%m-%d %H:%M:%S') AS at, m.action, m.member_id, m.other_member_id,
       i.kind AS via_kind, i.value AS via_value, m.import_id, m.detail
FROM m LEFT JOIN via i ON i.identity_id = m.via_identity_id
ORDER BY m.event_id;

-- name: stats_totals
SELECT (SELECT count(*) FROM members) AS members,
       (SELECT count(*) FROM identities) AS identities,
       (SELECT count(*) FROM identity_quarantine) AS quarantined_identifiers,
       (SELECT count(*) FROM products) AS products,
       (SELECT count(*) FROM imports) AS imports;

-- name: stats_channels
WITH o AS (
  SELECT channel_id,
         count(*) AS orders,
         count(*) FILTER (WHERE is_purchase) AS purchases,
         count(*) FILTER (WHERE member_id IS NULL) AS guest_orders,
         count(DISTINCT member_id) AS buyers,
         sum(lines) AS lines,
         coalesce(sum(product_value) FILTER (WHERE is_purchase), 0) AS gross
  FROM order_values GROUP BY channel_id
), r AS (
  SELECT channel_id, count(*) AS returns,
         coalesce(sum(amount) FILTER (WHERE line_type = 'product'), 0) AS refunds,
         count(*) FILTER (WHERE order_id IS NULL) AS unmatched_returns
  FROM returns GROUP BY channel_id
), e AS (
  SELECT channel_id, count(*) AS events FROM events GROUP BY channel_id
), m AS (
  SELECT scope AS channel_id, count(DISTINCT member_id) AS members FROM identities
  WHERE scope <> '' AND member_id IS NOT NULL GROUP BY scope
)
SELECT c.channel_id AS channel,
       coalesce(m.members, 0) AS members, coalesce(o.buyers, 0) AS buyers,
       coalesce(o.orders, 0) AS orders, coalesce(o.purchases, 0) AS purchases, coalesce(o.guest_orders, 0) AS guest_orders,
       coalesce(o.lines, 0) AS lines, coalesce(r.returns, 0) AS returns, coalesce(r.unmatched_returns, 0) AS unmatched_returns,
       coalesce(e.events, 0) AS events,
       coalesce(o.gross, 0)::DECIMAL(18,4)::VARCHAR AS gross,
       coalesce(r.refunds, 0)::DECIMAL(18,4)::VARCHAR AS refunds,
       (coalesce(o.gross, 0) - coalesce(r.refunds, 0))::DECIMAL(18,4)::VARCHAR AS net
FROM channels c
LEFT JOIN o USING (channel_id) LEFT JOIN r USING (channel_id) LEFT JOIN e USING (channel_id) LEFT JOIN m USING (channel_id)
ORDER BY c.channel_id;

-- name: consents
-- The latest consent per account and contact channel; $1 = the member's identity IDs (a JSON
-- list: constant lists are answered from the indexes, consents' key and identities' key).
SELECT i.scope AS channel, i.value AS account, c.contact_channel, arg_max(c.status, c.changed_at) AS status,
       strftime(max(c.changed_at), '%Y-%m-%d %H:%M:%S') AS since, arg_max(c.source, c.changed_at) AS source
FROM consents c JOIN identities i ON i.identity_id = c.anchor_id
WHERE c.anchor_id IN (SELECT unnest(from_json($1, '["BIGINT"]'))) AND i.identity_id IN (SELECT unnest(from_json($1, '["BIGINT"]')))
GROUP BY ALL ORDER BY channel, account, contact_channel;

-- name: search
-- Members whose name contains $1 (case-insensitive), or with an identity (phone, email,
-- channel account) equal to $1 or to its normalized forms $2 (phone) and $3 (email), whose
-- phone ends in $1 when $1 is four digits, who placed order $1, or whose member ID (or old ID)
-- is $1. At most $4 rows.
WITH hits AS (
  SELECT member_id FROM members WHERE member_id = $1 OR name ILIKE '%' || $1 || '%'
  UNION SELECT member_id FROM member_aliases WHERE old_member_id = $1
  UNION SELECT member_id FROM identities WHERE member_id IS NOT NULL AND (value = $1 OR value = $2 OR value = $3)
  -- Exactly four digits: the last four of a phone, as service staff ask for them.
  UNION SELECT member_id FROM identities WHERE member_id IS NOT NULL AND kind = 'phone' AND regexp_full_match($1, '\d{4}') AND suffix(value, $1)
  -- An order ID: the member who placed it.
  UNION SELECT i.member_id FROM orders o JOIN identities i ON i.identity_id = o.buyer_id WHERE o.order_id = $1 AND i.member_id IS NOT NULL
)
SELECT m.member_id, m.name,
       (SELECT min(value) FROM identities i WHERE i.member_id = m.member_id AND i.kind = 'phone') AS phone,
       (SELECT min(value) FROM identities i WHERE i.member_id = m.member_id AND i.kind = 'email') AS email,
       coalesce((SELECT list(DISTINCT scope ORDER BY scope) FROM identities i WHERE i.member_id = m.member_id AND scope <> ''), []) AS channels,
       (SELECT strftime(max(day), '%Y-%m-%d') FROM purchase_occasions o WHERE o.member_id = m.member_id) AS last_purchase,
       (SELECT stage FROM member_lifecycle l WHERE l.member_id = m.member_id ORDER BY as_of DESC LIMIT 1) AS stage
FROM members m WHERE m.member_id IN (SELECT member_id FROM hits)
ORDER BY m.member_id LIMIT $4;
