-- Calibration summaries from the models' occasions (one member's purchases on one day, migration 045). $1 is the
-- calibration end day (its occasions count); $2 the period length in days.

-- name: histories
-- Distinct histories in whole days: repeat occasions, days from the first occasion to the last
-- and to the calibration end, and how many members share them.
SELECT x, tx_days, t_days, count(*)::INTEGER AS n
FROM (
  SELECT (count(*) - 1)::INTEGER AS x,
         date_diff('day', min(day), max(day))::INTEGER AS tx_days,
         date_diff('day', min(day), $1::DATE)::INTEGER AS t_days
  FROM model_occasions
  WHERE day <= $1::DATE
  GROUP BY member_id
)
GROUP BY x, tx_days, t_days
ORDER BY x, tx_days, t_days;

-- name: spends
-- Repeaters' mean repeat-occasion value (the first occasion left out), as a model input. Members
-- whose repeat occasions are worth nothing in total are left out (the model needs a positive mean).
SELECT x, mean FROM (
  SELECT (count(*) - 1)::INTEGER AS x, ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DOUBLE AS mean
  FROM model_occasions
  WHERE day <= $1::DATE
  GROUP BY member_id
  HAVING count(*) > 1
)
WHERE mean > 0
ORDER BY x;

-- name: member
-- One member's calibration summary.
SELECT count(*) - 1 AS x,
       date_diff('day', min(day), max(day)) AS tx_days,
       date_diff('day', min(day), $1::DATE) AS t_days,
       CASE WHEN count(*) > 1 THEN ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DECIMAL(18,4) END AS mean_repeat_value
FROM model_occasions
WHERE day <= $1::DATE AND member_id = $2;

-- name: customers
-- Members with an occasion by the calibration end.
SELECT count(DISTINCT member_id) AS n FROM model_occasions WHERE day <= $1::DATE;

-- The same three summaries from a scoring run's member table (_model_members, scores.sql), so
-- that fitting and scoring in one run read the occasions once.

-- name: histories_members
SELECT x, tx_days, t_days, count(*)::INTEGER AS n FROM _model_members GROUP BY x, tx_days, t_days ORDER BY x, tx_days, t_days;

-- name: spends_members
SELECT x, mean FROM _model_members WHERE x > 0 AND mean > 0 ORDER BY x;

-- name: customers_members
SELECT count(*) AS n FROM _model_members;
