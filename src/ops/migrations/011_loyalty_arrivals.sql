-- How far each programme has taken orders and returns from the member base (the import that
-- brought them), so the arrivals hand-off earns and reverses each once, resuming after a crash.
CREATE TABLE loyalty_watermarks (
  programme_id TEXT NOT NULL,
  source TEXT NOT NULL,
  import_id BIGINT NOT NULL,
  PRIMARY KEY (programme_id, source)
);
