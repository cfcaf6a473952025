-- name: matrix
-- Retention matrix: first-occasion cohort x periods since the first, for members (active in
-- the period) and revenue (product value of their purchases in the period). $2 = week | month.
-- A member's cohort is the period of the first occasion (from the snapshot's first days); each
-- member counts once per period, with the period's value (the member-periods the repeat report
-- reads too).
WITH firsts AS (
  SELECT member_id, date_trunc($2, first_day)::DATE AS cohort FROM member_first_occasions WHERE first_day <= $1::DATE
), mp AS (
  SELECT member_id, period, value FROM _member_periods -- (repeat.sql member_periods, same $1 and $2)
), sizes AS (
  SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort
), cells AS (
  SELECT f.cohort,
         CASE WHEN $2 = 'week' THEN (o.period - f.cohort) // 7 ELSE datediff('month', f.cohort, o.period) END AS periods_since,
         count(*) AS members, sum(o.value) AS revenue
  FROM mp o JOIN firsts f USING (member_id)
  GROUP BY f.cohort, periods_since
)
SELECT strftime(c.cohort, '%Y-%m-%d') AS cohort, s.size, c.periods_since, c.members,
       round(c.members::DECIMAL(18,6) / s.size, 4)::DECIMAL(10,4)::VARCHAR AS member_rate,
       c.revenue::DECIMAL(18,4)::VARCHAR AS revenue
FROM cells c JOIN sizes s USING (cohort)
ORDER BY c.cohort, c.periods_since;
