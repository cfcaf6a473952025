-- Campaign statements. The audience of a launch is first materialized into the temp table
-- _audience (member_id) from the segment's compiled query.

-- name: runs
SELECT run_id, starts_at::VARCHAR AS starts_at, audience_as_of::VARCHAR AS audience_as_of,
       launched_at::VARCHAR AS launched_at, control_bp, stratified, audience, control
FROM campaign_runs WHERE campaign_id = $1 ORDER BY run_id;

-- Control assignment. bucket = first 32 bits of md5(member_id:campaign_id) mod 10000: stable
-- across runs, versions and machines. Unstratified: control when bucket < share (in basis
-- points). Stratified: within each lifecycle stage at launch, the members with the lowest
-- (bucket, md5, member_id) make up exactly round(share x stage size).
-- $1 campaign, $2 run, $3 control basis points, $4 stratify, $5 assigned at, $6 audience as-of date
-- name: assign
INSERT INTO campaign_members
WITH a AS (
  SELECT a.member_id,
         CASE WHEN $4::BOOLEAN THEN coalesce(l.stage, 'Unknown') ELSE 'all' END AS stratum,
         md5(a.member_id || ':' || $1) AS h
  FROM (SELECT DISTINCT member_id FROM _audience) a
  LEFT JOIN (SELECT member_id, arg_max(stage, as_of) AS stage FROM member_lifecycle
             WHERE $4::BOOLEAN AND as_of <= $6::DATE GROUP BY member_id) l USING (member_id)
), b AS (
  SELECT member_id, stratum, h, (('0x' || substr(h, 1, 8))::UBIGINT % 10000)::INTEGER AS bucket FROM a
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY stratum ORDER BY bucket, h, member_id) AS rk,
         count(*) OVER (PARTITION BY stratum) AS n
  FROM b
)
SELECT $1, $2::INTEGER, member_id,
       CASE WHEN $4::BOOLEAN THEN (CASE WHEN rk <= (n * $3::BIGINT + 5000) // 10000 THEN 'control' ELSE 'treatment' END)
            ELSE (CASE WHEN bucket < $3::INTEGER THEN 'control' ELSE 'treatment' END) END,
       stratum, bucket, $5::TIMESTAMP
FROM ranked
ORDER BY member_id;

-- $1 campaign, $2 run, $3 starts at, $4 as-of, $5 launched at, $6 control bp, $7 stratified
-- name: insert_run
INSERT INTO campaign_runs
SELECT $1, $2::INTEGER, $3::TIMESTAMP, $4::DATE, $5::TIMESTAMP, $6::INTEGER, $7::BOOLEAN,
       count(*), count(*) FILTER (WHERE grp = 'control')
FROM campaign_members WHERE campaign_id = $1 AND run_id = $2::INTEGER;

-- name: group_sizes
SELECT stratum, grp, count(*) AS members FROM campaign_members
WHERE campaign_id = $1 AND run_id = $2 GROUP BY ALL ORDER BY stratum, grp;

-- Plans one wave's sends for the treatment members whose condition holds (the condition is
-- appended by the planner as bound SQL). A best-hour wave sends at the member's latest
-- best_send_hour tag on the wave's day (the wave's own hour when a member has no tag).
-- $1 campaign, $2 run, $3 wave, $4 channel, $5 wave time, $6 best hour, $7 now
-- name: plan_wave
INSERT INTO campaign_sends
SELECT $1 || ':' || $2::INTEGER || ':' || $3 || ':' || m.member_id, $1, $2::INTEGER, $3, m.member_id, $4,
       CASE WHEN $6::BOOLEAN
            THEN $5::TIMESTAMP::DATE + to_hours(coalesce(try_cast(t.value AS INTEGER), hour($5::TIMESTAMP)))
            ELSE $5::TIMESTAMP END,
       'planned', NULL, 0, NULL, NULL, NULL, NULL, $7::TIMESTAMP
FROM campaign_members m
LEFT JOIN (SELECT member_id, arg_max(value, as_of) AS value FROM member_tags
           WHERE $6::BOOLEAN AND tag = 'best_send_hour' GROUP BY member_id) t USING (member_id)
WHERE m.campaign_id = $1 AND m.run_id = $2::INTEGER AND m.grp = 'treatment' AND /*condition*/;

-- name: mark_planned
INSERT INTO campaign_wave_plans
SELECT $1, $2::INTEGER, $3, $4::TIMESTAMP, count(*) FROM campaign_sends
WHERE campaign_id = $1 AND run_id = $2::INTEGER AND wave_id = $3;

-- name: planned_waves
SELECT wave_id FROM campaign_wave_plans WHERE campaign_id = $1 AND run_id = $2;

-- Quiet hours: a planned time inside [start, end) minutes of the day (wrapping midnight when
-- start > end) moves to the end of the quiet period, and says so.
-- $1 campaign, $2 run, $3 wave, $4 quiet start minute, $5 quiet end minute
-- name: defer_quiet
UPDATE campaign_sends SET
  due_at = CASE WHEN $4::INTEGER > $5::INTEGER AND hour(due_at) * 60 + minute(due_at) >= $4::INTEGER
                THEN due_at::DATE + 1 + to_minutes($5::INTEGER)
                ELSE due_at::DATE + to_minutes($5::INTEGER) END,
  reason = 'deferred: quiet hours'
WHERE campaign_id = $1 AND run_id = $2::INTEGER AND wave_id = $3 AND state = 'planned'
  AND CASE WHEN $4::INTEGER > $5::INTEGER
           THEN hour(due_at) * 60 + minute(due_at) >= $4::INTEGER OR hour(due_at) * 60 + minute(due_at) < $5::INTEGER
           ELSE hour(due_at) * 60 + minute(due_at) >= $4::INTEGER AND hour(due_at) * 60 + minute(due_at) < $5::INTEGER END;

-- The next due sends of one wave with their guard verdicts and addresses, oldest first.
-- A send left in 'sending' by an interrupted run passed its guards already: it is sent again
-- with the same idempotency key. Consent must be granted (latest record for the channel) and
-- not followed by an unsubscribe (for that channel or all channels); quarantined identifiers
-- (shared placeholders) are never used as addresses; the contact-pressure cap counts messages
-- sent to the member by every campaign in the trailing window.
-- $1 now, $2 campaign, $3 run, $4 wave, $5 consent channel, $6 address kind ('' = none needed),
-- $7 cap messages, $8 cap days, $9 batch size
-- name: due_batch
WITH due AS (
  SELECT send_key, member_id, due_at, state FROM campaign_sends
  WHERE campaign_id = $2 AND run_id = $3::INTEGER AND wave_id = $4 AND state IN ('planned', 'retry', 'sending')
    AND coalesce(next_attempt_at, due_at) <= $1::TIMESTAMP
  ORDER BY due_at, send_key LIMIT $9::INTEGER
), ids AS (
  SELECT i.* FROM identities i WHERE i.member_id IN (SELECT member_id FROM due)
    AND i.identity_id NOT IN (SELECT identity_id FROM identity_quarantine)
), consent AS (
  SELECT i.member_id, arg_max(c.status, c.changed_at) AS status, max(c.changed_at) AS changed_at
  FROM consents c JOIN ids i ON i.identity_id = c.anchor_id
  WHERE c.contact_channel = $5 AND c.changed_at <= $1::TIMESTAMP GROUP BY i.member_id
), unsub AS (
  SELECT i.member_id, max(e.occurred_at) AS at
  FROM events e JOIN ids i ON i.identity_id = e.actor_id
  WHERE e.type = 'unsubscribed' AND e.occurred_at <= $1::TIMESTAMP
    AND coalesce(json_extract_string(e.properties, '$.channel'), $5) = $5
  GROUP BY i.member_id
), addr AS (
  SELECT member_id,
         arg_max(value, last_seen) FILTER (WHERE kind = 'email') AS email,
         arg_max(value, last_seen) FILTER (WHERE kind = 'phone') AS phone,
         coalesce(arg_max(value, last_seen) FILTER (WHERE kind = 'wechat_openid'),
                  arg_max(value, last_seen) FILTER (WHERE kind = 'wechat_unionid')) AS wechat
  FROM ids GROUP BY member_id
), recent AS (
  SELECT member_id, count(*) AS n FROM campaign_sends
  WHERE state IN ('sent', 'sending') AND sent_at > $1::TIMESTAMP - to_days($8::INTEGER)
    AND member_id IN (SELECT member_id FROM due)
  GROUP BY member_id
)
SELECT d.send_key, d.member_id, d.due_at::VARCHAR AS due_at, mb.name, a.email, a.phone, a.wechat,
       CASE WHEN d.state = 'sending' THEN NULL
            WHEN coalesce(c.status, 'unknown') <> 'granted' THEN 'no consent'
            WHEN u.at IS NOT NULL AND u.at >= c.changed_at THEN 'unsubscribed'
            WHEN $6 = 'email' AND a.email IS NULL OR $6 = 'phone' AND a.phone IS NULL OR $6 = 'wechat' AND a.wechat IS NULL THEN 'no address'
            WHEN coalesce(r.n, 0) >= $7::INTEGER THEN 'contact pressure'
       END AS reason
FROM due d
LEFT JOIN consent c USING (member_id)
LEFT JOIN unsub u USING (member_id)
LEFT JOIN addr a USING (member_id)
LEFT JOIN recent r USING (member_id)
LEFT JOIN members mb USING (member_id)
ORDER BY d.due_at, d.send_key;

-- The waves with anything to send now (an idle pass stops here, without the guard queries).
-- name: due_waves
SELECT DISTINCT campaign_id, run_id, wave_id FROM campaign_sends
WHERE state IN ('planned', 'retry', 'sending') AND coalesce(next_attempt_at, due_at) <= $1::TIMESTAMP;

-- name: suppress
UPDATE campaign_sends SET state = 'suppressed', reason = s.reason, updated_at = $2::TIMESTAMP
FROM (SELECT unnest(from_json($1, '["VARCHAR"]')) AS send_key, unnest(from_json($3, '["VARCHAR"]')) AS reason) s
WHERE campaign_sends.send_key = s.send_key;

-- Committed before the adapter is called: a crash after this line leaves the send in
-- 'sending', and the next run sends it again with the same key.
-- name: mark_sending
UPDATE campaign_sends SET state = 'sending', attempts = attempts + 1, sent_at = $2::TIMESTAMP, updated_at = $2::TIMESTAMP
WHERE send_key IN (SELECT unnest(from_json($1, '["VARCHAR"]')));

-- name: mark_sent
UPDATE campaign_sends SET state = 'sent', provider_id = $2, sent_at = $3::TIMESTAMP, updated_at = $3::TIMESTAMP, last_error = NULL
WHERE send_key = $1;

-- name: mark_failed
UPDATE campaign_sends SET state = 'failed', last_error = $2, sent_at = NULL, updated_at = $3::TIMESTAMP WHERE send_key = $1;

-- name: mark_retry
UPDATE campaign_sends SET state = 'retry', last_error = $2, sent_at = NULL, updated_at = $3::TIMESTAMP,
  next_attempt_at = $3::TIMESTAMP + to_minutes($4::INTEGER)
WHERE send_key = $1;

-- name: send_counts
SELECT wave_id, state, coalesce(reason, '') AS reason, count(*) AS sends
FROM campaign_sends WHERE campaign_id = $1 AND ($2::INTEGER IS NULL OR run_id = $2::INTEGER)
GROUP BY ALL ORDER BY wave_id, state, reason;

-- Delivery events that came back through ingestion, per wave: distinct members reaching each
-- step (an open implies delivery, a click implies an open).
-- name: delivery_counts
SELECT json_extract_string(e.properties, '$.wave_id') AS wave_id,
       count(DISTINCT i.member_id) FILTER (WHERE e.type IN ('message_delivered', 'message_opened', 'message_clicked')) AS delivered,
       count(DISTINCT i.member_id) FILTER (WHERE e.type IN ('message_opened', 'message_clicked')) AS opened,
       count(DISTINCT i.member_id) FILTER (WHERE e.type = 'message_clicked') AS clicked,
       count(DISTINCT i.member_id) FILTER (WHERE e.type = 'unsubscribed') AS unsubscribed
FROM events e JOIN identities i ON i.identity_id = e.actor_id
WHERE e.campaign_id = $1 AND e.type IN ('message_delivered', 'message_opened', 'message_clicked', 'unsubscribed')
GROUP BY ALL ORDER BY 1;

-- Runs and audience so far of every campaign, keyed by campaign ID.
-- name: run_totals
SELECT campaign_id, count(*) AS runs, coalesce(sum(audience), 0) AS audience FROM campaign_runs GROUP BY campaign_id;

-- name: campaign_runs_all
SELECT campaign_id, run_id, starts_at::VARCHAR AS starts_at, launched_at::VARCHAR AS launched_at
FROM campaign_runs ORDER BY campaign_id, run_id;
