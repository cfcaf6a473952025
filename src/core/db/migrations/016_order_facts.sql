-- 016: orders with their line totals as a table the imports keep (src/ingest/order-facts.sql),
-- so a refresh no longer sums ten million order lines to value four million orders. The view
-- keeps its name and columns; only the buyer's member is joined at read time (identity
-- resolution can move an identity to another member at any import).
CREATE TABLE order_facts (
  channel_id    VARCHAR NOT NULL,
  order_id      VARCHAR NOT NULL,
  buyer_id      BIGINT,
  store_id      VARCHAR,
  created_at    TIMESTAMP,
  paid_at       TIMESTAMP,
  status        VARCHAR,
  product_value DECIMAL(18,4) NOT NULL,
  other_value   DECIMAL(18,4) NOT NULL,
  lines         BIGINT NOT NULL,
  items         BIGINT NOT NULL,
  has_discount  BOOLEAN NOT NULL,
  is_purchase   BOOLEAN NOT NULL
);

INSERT INTO order_facts
SELECT o.channel_id, o.order_id, o.buyer_id, o.store_id, o.created_at, o.paid_at, o.status,
       coalesce(l.product_value, 0)::DECIMAL(18,4), coalesce(l.other_value, 0)::DECIMAL(18,4),
       coalesce(l.lines, 0), coalesce(l.items, 0),
       coalesce(o.discount, 0) > 0 OR coalesce(o.coupon_codes, '') <> '',
       (o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed')) AND coalesce(l.product_value, 0) > 0
FROM orders o
LEFT JOIN (
  SELECT channel_id, order_id,
         sum(amount) FILTER (WHERE line_type = 'product') AS product_value,
         sum(amount) FILTER (WHERE line_type <> 'product') AS other_value,
         count(*) AS lines,
         sum(quantity) FILTER (WHERE line_type = 'product') AS items
  FROM order_lines GROUP BY channel_id, order_id
) l USING (channel_id, order_id)
ORDER BY o.created_at;

CREATE OR REPLACE VIEW order_values AS
SELECT f.channel_id, f.order_id, f.buyer_id, i.member_id, f.store_id, f.created_at, f.paid_at, f.status,
       f.product_value, f.other_value, f.lines, f.is_purchase, f.items, f.has_discount
FROM order_facts f
LEFT JOIN identities i ON i.identity_id = f.buyer_id;
