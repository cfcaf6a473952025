-- Stored fits, one per (model, calibration end, period).

-- name: save_fit
INSERT OR REPLACE INTO model_fits (model, calibration_end, period, fitted_at, fit)
VALUES ($1, $2::DATE, $3, $4::TIMESTAMP, $5);

-- name: load_fit
SELECT strftime(calibration_end, '%Y-%m-%d') AS calibration_end, period, strftime(fitted_at, '%Y-%m-%d %H:%M:%S') AS fitted_at, fit
FROM model_fits
WHERE model = $1 AND calibration_end = $2::DATE AND period = $3;

-- name: list_fits
SELECT model, strftime(calibration_end, '%Y-%m-%d') AS calibration_end, period, strftime(fitted_at, '%Y-%m-%d %H:%M:%S') AS fitted_at, fit
FROM model_fits
ORDER BY calibration_end DESC, period, model;
