-- Holdout validation: the cohort is every member whose first model occasion is on or before the
-- calibration end ($1); the holdout runs from the day after it to $2.

-- name: bounds
SELECT strftime(min(day), '%Y-%m-%d') AS start, strftime(max(day), '%Y-%m-%d') AS last
FROM model_occasions;

-- name: first_days
-- Members of the cohort by first-occasion day, as days from the cohort start ($2).
SELECT date_diff('day', $2::DATE, first_day) AS d, count(*) AS n
FROM (SELECT min(day) AS first_day FROM model_occasions GROUP BY member_id)
WHERE first_day <= $1::DATE
GROUP BY d
ORDER BY d;

-- name: weekly_repeats
-- Repeat occasions of the cohort by week from the cohort start ($3): week 1 = its first 7 days.
WITH o AS (
  SELECT member_id, day, min(day) OVER (PARTITION BY member_id) AS first_day FROM model_occasions
)
SELECT date_diff('day', $3::DATE, day) // 7 + 1 AS week, count(*) AS n
FROM o
WHERE first_day <= $1::DATE AND day > first_day AND day <= $2::DATE
GROUP BY week
ORDER BY week;

-- name: holdout_by_history
-- The cohort's calibration histories (in days) with their holdout occasions summed.
WITH m AS (
  SELECT member_id,
         count(*) FILTER (WHERE day <= $1::DATE) - 1 AS x,
         date_diff('day', min(day), max(day) FILTER (WHERE day <= $1::DATE)) AS tx_days,
         date_diff('day', min(day), $1::DATE) AS t_days,
         count(*) FILTER (WHERE day > $1::DATE AND day <= $2::DATE) AS holdout
  FROM model_occasions
  GROUP BY member_id
  HAVING min(day) <= $1::DATE
)
SELECT x, tx_days, t_days, count(*) AS n, sum(holdout) AS holdout
FROM m
GROUP BY x, tx_days, t_days
ORDER BY x, tx_days, t_days;
