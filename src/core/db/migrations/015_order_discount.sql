-- 015: order_values also says whether the order had a discount or a coupon, so the tags read it
-- with the order instead of joining every order again.
CREATE OR REPLACE VIEW order_values AS
SELECT o.channel_id, o.order_id, o.buyer_id, i.member_id, o.store_id, o.created_at, o.paid_at, o.status,
       coalesce(l.product_value, 0)::DECIMAL(18,4) AS product_value,
       coalesce(l.other_value, 0)::DECIMAL(18,4) AS other_value,
       coalesce(l.lines, 0) AS lines,
       (o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed'))
         AND coalesce(l.product_value, 0) > 0 AS is_purchase,
       coalesce(l.items, 0)::BIGINT AS items,
       coalesce(o.discount, 0) > 0 OR coalesce(o.coupon_codes, '') <> '' AS has_discount
FROM orders o
LEFT JOIN identities i ON i.identity_id = o.buyer_id
LEFT JOIN (
  SELECT channel_id, order_id,
         sum(amount) FILTER (WHERE line_type = 'product') AS product_value,
         sum(amount) FILTER (WHERE line_type <> 'product') AS other_value,
         count(*) AS lines,
         sum(quantity) FILTER (WHERE line_type = 'product') AS items
  FROM order_lines GROUP BY channel_id, order_id
) l USING (channel_id, order_id);
