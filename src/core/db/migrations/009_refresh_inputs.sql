-- 009: inputs several reports share, as views a refresh materializes once (temporary tables of
-- the same names shadow them for the refresh's duration).
-- Each member's first and second purchase-occasion days.
CREATE VIEW member_first_occasions AS
SELECT member_id, min(day) AS first_day, min(day) FILTER (WHERE rn = 2) AS second_day
FROM (SELECT member_id, day, row_number() OVER (PARTITION BY member_id ORDER BY day) AS rn FROM purchase_occasions)
WHERE rn <= 2
GROUP BY member_id;

-- Visit events with the member behind them (NULL for anonymous visitors).
CREATE VIEW visit_events AS
SELECT e.channel_id, e.event_id, e.session_id, e.source, e.occurred_at, i.member_id
FROM events e LEFT JOIN identities i ON i.identity_id = e.actor_id
WHERE e.type = 'visit';
