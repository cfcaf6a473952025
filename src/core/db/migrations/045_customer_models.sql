-- 045: customer models. The models' occasions are purchase occasions that also count paid
-- orders worth nothing (free goods are still a visit to buy; the CDNOW data behind the published
-- fits has eight such purchases, decision 0014). Fits are stored per (model, calibration end,
-- period); member scores hold the latest scoring run.
CREATE OR REPLACE VIEW model_occasions AS
SELECT member_id, created_at::DATE AS day, count(*) AS orders, sum(product_value)::DECIMAL(18,4) AS value
FROM order_values
WHERE member_id IS NOT NULL
  AND (is_purchase OR (product_value = 0 AND (paid_at IS NOT NULL OR status IN ('paid', 'shipped', 'completed'))))
GROUP BY member_id, created_at::DATE;

CREATE TABLE model_fits (
  model           VARCHAR NOT NULL,
  calibration_end DATE NOT NULL,
  period          VARCHAR NOT NULL,
  fitted_at       TIMESTAMP NOT NULL,
  fit             VARCHAR NOT NULL,   -- JSON: parameters, standard errors, log-likelihood, counts
  PRIMARY KEY (model, calibration_end, period)
);

CREATE TABLE model_score_runs (
  scored_at       TIMESTAMP NOT NULL,
  calibration_end DATE NOT NULL,
  period          VARCHAR NOT NULL,
  model           VARCHAR NOT NULL,
  settings        VARCHAR NOT NULL    -- JSON: horizon, CLV horizon, discount and margin rates, bands
);

CREATE TABLE member_model_scores (
  member_id              VARCHAR NOT NULL,
  x                      INTEGER NOT NULL,
  t_x                    DOUBLE NOT NULL,
  t_cal                  DOUBLE NOT NULL,
  p_alive                DOUBLE NOT NULL,
  expected_purchases     DOUBLE NOT NULL,
  next_purchase_date     DATE,
  expected_average_spend DECIMAL(18,4),
  clv                    DECIMAL(18,4),
  churn_risk             VARCHAR NOT NULL
);
