-- 030: imports keep an order's progress. A later export of a stored order may move its status,
-- payment, shipping, cancellation or refunded amount (applied, and recorded here with the time);
-- refunds are stored on the order (refunded_amount, refunded_at) and become returns once.
-- Quantities are exact decimals (goods sold by weight), never rounded to whole units.
ALTER TABLE orders ADD COLUMN refunded_amount DECIMAL(18,4);
ALTER TABLE orders ADD COLUMN refunded_at TIMESTAMP;

-- The lookup indexes of migration 012 hold the tables; they are rebuilt after the change.
DROP INDEX order_lines_order;
DROP INDEX returns_buyer;
ALTER TABLE order_lines ALTER COLUMN quantity TYPE DECIMAL(18,4);
ALTER TABLE returns ALTER COLUMN quantity TYPE DECIMAL(18,4);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX returns_buyer ON returns (buyer_id);
ALTER TABLE order_facts ALTER COLUMN items TYPE DECIMAL(18,4);

-- One row per field an import changed on a stored order: the order's history.
CREATE TABLE order_changes (
  channel_id  VARCHAR NOT NULL,
  order_id    VARCHAR NOT NULL,
  field       VARCHAR NOT NULL,
  old_value   VARCHAR,
  new_value   VARCHAR,
  changed_at  TIMESTAMP NOT NULL,
  import_id   BIGINT
);
