-- Per-member scores of one run. _model_members holds each member's calibration summary (its
-- distinct histories are read with summary.sql's histories_members); _model_histories holds the
-- scores of each distinct history (x, days to the last occasion, days to the calibration end),
-- computed in TypeScript and appended a vector at a time; members join it on their own history. $1 calibration end, $2 period length in days, $3..$5 the
-- Gamma-Gamma p, q, γ (NULL without a fit), $6 the gross margin rate, $7 and $8 the P(alive)
-- bounds of the high and medium churn-risk bands.

-- name: members_table
-- Each member's calibration summary, built once per run (histories and scores read it).
CREATE OR REPLACE TEMP TABLE _model_members AS
SELECT member_id,
       (count(*) - 1)::INTEGER AS x,
       date_diff('day', min(day), max(day))::INTEGER AS tx_days,
       date_diff('day', min(day), $1::DATE)::INTEGER AS t_days,
       CASE WHEN count(*) > 1 THEN ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DOUBLE END AS mean
FROM model_occasions
WHERE day <= $1::DATE
GROUP BY member_id;

-- name: histories_table
CREATE OR REPLACE TEMP TABLE _model_histories (
  x INTEGER, tx_days INTEGER, t_days INTEGER, p_alive DOUBLE, expected DOUBLE, discounted DOUBLE, next_days DOUBLE
);

-- name: clear
DELETE FROM member_model_scores;

-- name: insert
INSERT INTO member_model_scores
WITH m AS (SELECT * FROM _model_members),
s AS (
  SELECT m.member_id, m.x, m.tx_days, m.t_days, h.p_alive, h.expected, h.discounted, h.next_days,
         (CASE
            WHEN $5::DOUBLE IS NULL THEN NULL
            -- Gamma-Gamma posterior mean (Fader & Hardie 2013, eq. 5); the population mean pγ/(q-1)
            -- for members without a repeat occasion worth something.
            WHEN m.x > 0 AND m.mean > 0 THEN ($5::DOUBLE + m.mean * m.x) * $3::DOUBLE / ($3::DOUBLE * m.x + $4::DOUBLE - 1)
            WHEN $4::DOUBLE > 1 THEN $3::DOUBLE * $5::DOUBLE / ($4::DOUBLE - 1)
          END)::DECIMAL(18,4) AS spend
  FROM m JOIN _model_histories h ON h.x = m.x AND h.tx_days = m.tx_days AND h.t_days = m.t_days
)
SELECT member_id, x, tx_days / $2::DOUBLE, t_days / $2::DOUBLE, p_alive, expected,
       CASE WHEN next_days IS NOT NULL THEN $1::DATE + next_days::INTEGER END,
       spend,
       (spend::DOUBLE * $6::DOUBLE * discounted)::DECIMAL(18,4),
       CASE WHEN p_alive < $7::DOUBLE THEN 'high' WHEN p_alive < $8::DOUBLE THEN 'medium' ELSE 'low' END
FROM s;

-- name: save_run
INSERT INTO model_score_runs (scored_at, calibration_end, period, model, settings) VALUES ($1::TIMESTAMP, $2::DATE, $3, $4, $5);

-- name: member
SELECT s.x, s.t_x, s.t_cal, s.p_alive, s.expected_purchases,
       strftime(s.next_purchase_date, '%Y-%m-%d') AS next_purchase_date,
       s.expected_average_spend::VARCHAR AS expected_average_spend, s.clv::VARCHAR AS clv, s.churn_risk,
       strftime(r.calibration_end, '%Y-%m-%d') AS calibration_end, r.period, r.model, r.settings
FROM member_model_scores s, (SELECT * FROM model_score_runs ORDER BY scored_at DESC LIMIT 1) r
WHERE s.member_id = $1;

-- name: summary
SELECT count(*) AS members,
       count(*) FILTER (WHERE churn_risk = 'high') AS high,
       count(*) FILTER (WHERE churn_risk = 'medium') AS medium,
       count(*) FILTER (WHERE churn_risk = 'low') AS low,
       avg(p_alive) AS mean_p_alive,
       sum(expected_purchases) AS expected_purchases,
       sum(clv)::VARCHAR AS clv,
       count(next_purchase_date) AS with_next_purchase_date
FROM member_model_scores;

-- name: last_day
SELECT strftime(max(day), '%Y-%m-%d') AS day FROM model_occasions;

-- name: export
SELECT member_id, x, round(t_x, 4) AS t_x, round(t_cal, 4) AS t_cal, round(p_alive, 6) AS p_alive, round(expected_purchases, 6) AS expected_purchases,
       strftime(next_purchase_date, '%Y-%m-%d') AS next_purchase_date, expected_average_spend::VARCHAR AS expected_average_spend, clv::VARCHAR AS clv, churn_risk
FROM member_model_scores
ORDER BY member_id;

-- name: latest_run
SELECT strftime(scored_at, '%Y-%m-%d %H:%M:%S') AS scored_at, strftime(calibration_end, '%Y-%m-%d') AS calibration_end, period, model, settings
FROM model_score_runs ORDER BY scored_at DESC LIMIT 1;

-- name: p_alive_bins
-- Members per tenth of P(alive) (1.0 falls in the last tenth).
SELECT least(floor(p_alive * 10), 9)::INTEGER AS bin, count(*) AS members FROM member_model_scores GROUP BY 1 ORDER BY 1;

-- name: clv_deciles
-- Members ranked by CLV (highest first) in ten groups of equal size.
SELECT decile, count(*) AS members, min(clv)::VARCHAR AS min, max(clv)::VARCHAR AS max, sum(clv)::VARCHAR AS total
FROM (SELECT clv, ntile(10) OVER (ORDER BY clv DESC, member_id) AS decile FROM member_model_scores WHERE clv IS NOT NULL)
GROUP BY decile ORDER BY decile;
