-- Customer-service analytics per agent (PRODUCT: Customer service). $1 first day, $2 last day of
-- the period; $3 session gap in minutes; $4 conversion window in hours.

-- name: messages
-- Inquiry messages near the period (a session or an order window may cross its edges). A
-- message's sender is the member, else the anonymous session. Words per message: characters
-- (without spaces) for text with Chinese characters, words otherwise, else the given word_count.
CREATE OR REPLACE TEMP TABLE _sv_msgs AS
SELECT coalesce(i.member_id, 'anonymous:' || e.channel_id || '|' || coalesce(e.session_id, e.event_id)) AS who,
  i.member_id, e.occurred_at AS ts, e.event_id, e.direction, e.agent_id,
  CASE WHEN e.text IS NULL OR trim(e.text) = '' THEN e.word_count
       WHEN regexp_matches(e.text, '[\x{3400}-\x{9FFF}]') THEN length(regexp_replace(e.text, '\s', '', 'g'))
       ELSE len(string_split_regex(trim(e.text), '\s+')) END AS words
FROM events e LEFT JOIN identities i ON i.identity_id = e.actor_id
WHERE e.type = 'inquiry' AND e.direction IN ('inbound', 'outbound')
  AND e.occurred_at >= ($1::DATE - INTERVAL 4 DAY) AND e.occurred_at < ($2::DATE + 1);

-- name: numbered
-- Sessions: a new one starts after a gap of more than $1 minutes; turns: the inbound messages
-- before an outbound one, and that reply.
CREATE OR REPLACE TEMP TABLE _sv_numbered AS
SELECT *,
  sum(outbound::INTEGER) OVER (PARTITION BY who, sess ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) - outbound::INTEGER AS turn
FROM (
  SELECT *, sum(gap::INTEGER) OVER (PARTITION BY who ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS sess
  FROM (
    SELECT *, direction = 'outbound' AS outbound,
      coalesce(ts - lag(ts) OVER (PARTITION BY who ORDER BY ts, event_id) > to_minutes($1::BIGINT), true) AS gap
    FROM _sv_msgs
  )
);

-- name: sessions
-- One row per session: its member, start and end, the agent who replied first, the first
-- response time (the member's first message to the first reply after it).
CREATE OR REPLACE TEMP TABLE _sv_sessions AS
SELECT who, any_value(member_id) AS member_id, sess, min(ts) AS start_at, max(ts) AS end_at,
  arg_min(agent_id, ts) FILTER (WHERE outbound) AS agent_id,
  min(ts) FILTER (WHERE NOT outbound) AS first_in
FROM _sv_numbered GROUP BY who, sess;

-- name: first_response
CREATE OR REPLACE TEMP TABLE _sv_first AS
SELECT s.who, s.sess, epoch(min(n.ts) - s.first_in) AS seconds
FROM _sv_sessions s JOIN _sv_numbered n ON n.who = s.who AND n.sess = s.sess AND n.outbound AND n.ts >= s.first_in
GROUP BY s.who, s.sess, s.first_in;

-- name: turns
-- Each answered turn: from its first inbound message to the reply, credited to the replying agent.
CREATE OR REPLACE TEMP TABLE _sv_turns AS
SELECT who, sess, turn, arg_min(agent_id, ts) FILTER (WHERE outbound) AS agent_id,
  epoch(min(ts) FILTER (WHERE outbound) - min(ts) FILTER (WHERE NOT outbound)) AS seconds
FROM _sv_numbered GROUP BY who, sess, turn
HAVING count(*) FILTER (WHERE outbound) > 0 AND count(*) FILTER (WHERE NOT outbound) > 0;

-- name: attributed
-- Each purchase of a member goes to the agent of the member's last answered session that ended
-- within $1 hours before it was paid (once; DuckDB's ASOF join finds that session).
CREATE OR REPLACE TEMP TABLE _sv_orders AS
SELECT o.channel_id, o.order_id, o.product_value, o.paid, s.agent_id, s.who, s.sess, s.start_at
FROM (
  SELECT channel_id, order_id, member_id, product_value, coalesce(paid_at, created_at) AS paid
  FROM order_values
  WHERE is_purchase AND member_id IS NOT NULL
    AND coalesce(paid_at, created_at) >= ($2::DATE - INTERVAL 4 DAY) AND coalesce(paid_at, created_at) < ($3::DATE + 5)
) o
ASOF JOIN (SELECT * FROM _sv_sessions WHERE agent_id IS NOT NULL AND member_id IS NOT NULL) s
  ON s.member_id = o.member_id AND o.paid >= s.end_at
WHERE o.paid <= s.end_at + to_hours($1::BIGINT);

-- name: converted
-- Sessions in the period whose member paid an order within $1 hours after the session ended.
CREATE OR REPLACE TEMP TABLE _sv_converted AS
SELECT DISTINCT s.who, s.sess
FROM _sv_sessions s JOIN order_values o ON o.member_id = s.member_id
WHERE o.is_purchase AND coalesce(o.paid_at, o.created_at) > s.end_at
  AND coalesce(o.paid_at, o.created_at) <= s.end_at + to_hours($1::BIGINT);

-- name: league
-- $1 first day, $2 last day, $3 good rating (at least), $4 bad rating (at most).
WITH period_sessions AS (
  SELECT s.*, f.seconds AS first_response, c.who IS NOT NULL AS converted
  FROM _sv_sessions s
  LEFT JOIN _sv_first f USING (who, sess)
  LEFT JOIN _sv_converted c USING (who, sess)
  WHERE s.agent_id IS NOT NULL AND s.start_at >= $1::DATE AND s.start_at < ($2::DATE + 1)
),
per_session AS (
  SELECT agent_id, count(*) AS sessions,
    count(DISTINCT member_id) AS members,
    count(DISTINCT member_id) FILTER (WHERE converted) AS converted_members,
    avg(first_response) AS first_response_seconds
  FROM period_sessions GROUP BY agent_id
),
replies AS (
  SELECT n.agent_id, count(*) AS replies, avg(n.words) AS words_per_reply
  FROM _sv_numbered n JOIN period_sessions p ON p.who = n.who AND p.sess = n.sess
  WHERE n.outbound AND n.agent_id IS NOT NULL GROUP BY n.agent_id
),
turns AS (
  SELECT t.agent_id, avg(t.seconds) AS response_seconds, count(*) AS turns
  FROM _sv_turns t JOIN period_sessions p ON p.who = t.who AND p.sess = t.sess
  GROUP BY t.agent_id
),
orders AS (
  SELECT agent_id, count(*) AS orders, sum(product_value) AS sales
  FROM _sv_orders WHERE start_at >= $1::DATE AND start_at < ($2::DATE + 1) GROUP BY agent_id
),
reviews AS (
  SELECT o.agent_id,
    count(*) FILTER (WHERE e.rating >= $3) AS good_reviews,
    count(*) FILTER (WHERE e.rating <= $4) AS bad_reviews
  FROM _sv_orders o JOIN events e ON e.type = 'review' AND e.channel_id = o.channel_id AND e.order_id = o.order_id
  WHERE o.start_at >= $1::DATE AND o.start_at < ($2::DATE + 1) AND e.rating IS NOT NULL
  GROUP BY o.agent_id
)
SELECT s.agent_id AS agent, s.sessions::INTEGER AS sessions, s.members::INTEGER AS members,
  s.converted_members::INTEGER AS converted_members,
  CASE WHEN s.members > 0 THEN round(s.converted_members / s.members, 4) END AS inquiry_conversion,
  coalesce(o.orders, 0)::INTEGER AS orders,
  coalesce(o.sales, 0)::DECIMAL(18,4)::VARCHAR AS sales,
  CASE WHEN o.orders > 0 THEN round(o.sales / o.orders, 2)::DECIMAL(18,4)::VARCHAR END AS order_value,
  round(s.first_response_seconds, 1) AS first_response_seconds,
  round(t.response_seconds, 1) AS response_seconds,
  coalesce(r.replies, 0)::INTEGER AS replies,
  round(r.words_per_reply, 2) AS words_per_reply,
  coalesce(v.good_reviews, 0)::INTEGER AS good_reviews,
  coalesce(v.bad_reviews, 0)::INTEGER AS bad_reviews
FROM per_session s
LEFT JOIN orders o USING (agent_id)
LEFT JOIN replies r USING (agent_id)
LEFT JOIN turns t USING (agent_id)
LEFT JOIN reviews v USING (agent_id)
ORDER BY coalesce(o.sales, 0) DESC, s.sessions DESC, s.agent_id;

-- name: totals
SELECT count(*)::INTEGER AS sessions,
  (count(*) FILTER (WHERE agent_id IS NULL))::INTEGER AS unanswered_sessions,
  (count(*) FILTER (WHERE member_id IS NULL))::INTEGER AS anonymous_sessions
FROM _sv_sessions WHERE start_at >= $1::DATE AND start_at < ($2::DATE + 1);
