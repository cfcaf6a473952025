-- 003: analytics. A purchase occasion is one member's purchases on one shop-local day
-- (orders are dated by their creation time). Returns are dated when they happen.
CREATE VIEW purchase_occasions AS
SELECT member_id, created_at::DATE AS day, count(*) AS orders, sum(product_value)::DECIMAL(18,4) AS value
FROM order_values
WHERE is_purchase AND member_id IS NOT NULL
GROUP BY member_id, created_at::DATE;

CREATE VIEW member_returns_by_day AS
SELECT member_id, returned_at::DATE AS day, sum(amount)::DECIMAL(18,4) AS amount
FROM return_values
WHERE line_type = 'product' AND member_id IS NOT NULL
GROUP BY member_id, returned_at::DATE;

-- Materialized reports: reading never recomputes.
CREATE TABLE analysis_results (
  report      VARCHAR NOT NULL,
  as_of       DATE NOT NULL,
  params      VARCHAR NOT NULL,          -- JSON of the parameters and thresholds used
  computed_at TIMESTAMP NOT NULL,
  result      VARCHAR NOT NULL,          -- JSON document
  PRIMARY KEY (report, as_of, params)
);

CREATE TABLE member_rfm (
  as_of       DATE NOT NULL,
  window_days INTEGER NOT NULL,
  member_id   VARCHAR NOT NULL,
  recency     INTEGER NOT NULL,
  frequency   INTEGER NOT NULL,
  monetary    DECIMAL(18,4) NOT NULL,
  r_score     INTEGER NOT NULL,
  f_score     INTEGER NOT NULL,
  m_score     INTEGER NOT NULL,
  segment     VARCHAR NOT NULL,           -- the 10-group map on (R, F)
  group_cn    VARCHAR NOT NULL,           -- the 8-group map
  PRIMARY KEY (as_of, window_days, member_id)
);

CREATE TABLE member_lifecycle (
  as_of     DATE NOT NULL,
  member_id VARCHAR NOT NULL,
  stage     VARCHAR NOT NULL,
  PRIMARY KEY (as_of, member_id)
);
