-- 019: orders lose their PRIMARY KEY index, as order lines, returns and events never had one.
-- The natural key (channel_id, order_id) is still unique: every writer inserts through the
-- importer's anti-join against the stored orders and its in-file duplicate check, and imports
-- are serialized (one writer per database file, decision 0001). What the index cost: DuckDB
-- keeps a primary key as an ART index that must be maintained on every insert and merged at
-- commit; loading 10M rows took 3.5x as long with such a key as without, and at 41.5M orders
-- the index outgrew the memory of a 24 GB machine during an import. The lookup index on
-- buyer_id (migration 012), which the member profile reads, stays.
CREATE TABLE orders_019 (
  channel_id     VARCHAR NOT NULL,
  order_id       VARCHAR NOT NULL,
  buyer_id       BIGINT,                 -- anchor identity; NULL = guest order
  store_id       VARCHAR,
  agent_id       VARCHAR,
  created_at     TIMESTAMP NOT NULL,
  paid_at        TIMESTAMP,
  shipped_at     TIMESTAMP,
  completed_at   TIMESTAMP,
  cancelled_at   TIMESTAMP,
  status         VARCHAR NOT NULL,       -- created, paid, shipped, completed, cancelled, closed
  item_total     DECIMAL(18,4),
  discount       DECIMAL(18,4),
  shipping       DECIMAL(18,4),
  paid_amount    DECIMAL(18,4),
  coupon_codes   VARCHAR,
  import_id      BIGINT
  -- natural key (channel_id, order_id), enforced by the importer's anti-join
);

-- Rows keep their stored (time) order, so reports' windows still skip row groups.
INSERT INTO orders_019 SELECT * FROM orders;

DROP INDEX orders_buyer;

DROP TABLE orders;

ALTER TABLE orders_019 RENAME TO orders;

CREATE INDEX orders_buyer ON orders (buyer_id);
