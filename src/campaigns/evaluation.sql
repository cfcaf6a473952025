-- Campaign evaluation: per group of one run, the totals the statistics need. Members without
-- a purchase count with zero. Purchases follow the purchase definition (order_values).

-- $1 campaign, $2 run, $3 window start, $4 window end (exclusive), $5 goal,
-- $6 default margin percent, $7 reactivation days
-- name: group_totals
WITH m AS (
  SELECT member_id, grp FROM campaign_members WHERE campaign_id = $1 AND run_id = $2::INTEGER
), o AS (
  SELECT v.member_id, v.channel_id, v.order_id, v.product_value
  FROM order_values v
  WHERE v.is_purchase AND v.created_at >= $3::TIMESTAMP AND v.created_at < $4::TIMESTAMP
    AND v.member_id IN (SELECT member_id FROM m)
), margins AS (
  -- Gross margin of a product line: value minus quantity x cost (the line's cost, else the
  -- product's); lines with no known cost get the default margin percent.
  SELECT l.channel_id, l.order_id,
         sum(CASE WHEN coalesce(l.cost, p.cost) IS NULL THEN l.amount * $6::INTEGER * 0.01
                  ELSE l.amount - l.quantity * coalesce(l.cost, p.cost) END)::DECIMAL(18,4) AS margin
  FROM order_lines l JOIN o USING (channel_id, order_id) LEFT JOIN products p ON p.sku = l.sku
  WHERE l.line_type = 'product'
  GROUP BY ALL
), per AS (
  SELECT o.member_id, count(*) AS orders, sum(o.product_value)::DECIMAL(18,4) AS revenue,
         sum(coalesce(g.margin, 0))::DECIMAL(18,4) AS margin
  FROM o LEFT JOIN margins g USING (channel_id, order_id)
  GROUP BY o.member_id
), prior AS (
  SELECT member_id, count(DISTINCT created_at::DATE) AS occasions, max(created_at) AS last_at
  FROM order_values
  WHERE is_purchase AND created_at < $3::TIMESTAMP AND member_id IN (SELECT member_id FROM m)
  GROUP BY member_id
)
SELECT m.grp,
       count(*) AS members,
       count(*) FILTER (WHERE per.orders > 0 AND CASE $5
             WHEN 'reactivation' THEN prior.last_at IS NOT NULL AND prior.last_at < $3::TIMESTAMP - to_days($7::INTEGER)
             WHEN 'second_purchase' THEN prior.occasions = 1
             ELSE TRUE END) AS responders,
       coalesce(sum(per.orders), 0) AS orders,
       coalesce(sum(per.revenue), 0)::DECIMAL(38,4)::VARCHAR AS revenue,
       coalesce(sum(per.revenue::DECIMAL(38,8) * per.revenue), 0)::DECIMAL(38,8)::VARCHAR AS revenue_squares,
       coalesce(sum(per.margin), 0)::DECIMAL(38,4)::VARCHAR AS margin,
       coalesce(sum(per.margin::DECIMAL(38,8) * per.margin), 0)::DECIMAL(38,8)::VARCHAR AS margin_squares
FROM m LEFT JOIN per USING (member_id) LEFT JOIN prior USING (member_id)
GROUP BY m.grp ORDER BY m.grp;

-- Messages sent per channel name in one run (cost per message).
-- name: sent_by_channel
SELECT channel, count(*) AS sent FROM campaign_sends
WHERE campaign_id = $1 AND run_id = $2::INTEGER AND state = 'sent' GROUP BY channel ORDER BY channel;

-- Coupons of this campaign redeemed by the run's treated members in the window.
-- name: coupons_redeemed
SELECT count(*) AS n
FROM events e JOIN identities i ON i.identity_id = e.actor_id
JOIN campaign_members m ON m.member_id = i.member_id AND m.campaign_id = $1 AND m.run_id = $2::INTEGER AND m.grp = 'treatment'
WHERE e.type = 'coupon_redeemed' AND e.campaign_id = $1 AND e.occurred_at >= $3::TIMESTAMP AND e.occurred_at < $4::TIMESTAMP;

-- Control members who were sent anything by this campaign: must always be zero.
-- name: control_contacted
SELECT count(*) AS n FROM campaign_sends s
JOIN campaign_members m ON m.campaign_id = s.campaign_id AND m.run_id = s.run_id AND m.member_id = s.member_id
WHERE s.campaign_id = $1 AND m.grp = 'control' AND s.state IN ('sent', 'sending');

-- Member-level outcomes of one run, for the statistics (src/stats): per member its group,
-- whether it responded (the goal's rule, as in group_totals), revenue and margin in the
-- attribution window, and spend and purchases in the pre-period (CUPED covariates), which
-- ends before both the audience freeze and the window so that the campaign cannot touch it.
-- $1 campaign, $2 run, $3 window start, $4 window end (exclusive), $5 goal,
-- $6 default margin percent, $7 reactivation days, $8 pre-period start, $9 pre-period end (exclusive)
-- name: member_outcomes
WITH m AS (
  SELECT member_id, grp FROM campaign_members WHERE campaign_id = $1 AND run_id = $2::INTEGER
), o AS (
  SELECT v.member_id, v.channel_id, v.order_id, v.product_value
  FROM order_values v
  WHERE v.is_purchase AND v.created_at >= $3::TIMESTAMP AND v.created_at < $4::TIMESTAMP
    AND v.member_id IN (SELECT member_id FROM m)
), margins AS (
  SELECT l.channel_id, l.order_id,
         sum(CASE WHEN coalesce(l.cost, p.cost) IS NULL THEN l.amount * $6::INTEGER * 0.01
                  ELSE l.amount - l.quantity * coalesce(l.cost, p.cost) END)::DECIMAL(18,4) AS margin
  FROM order_lines l JOIN o USING (channel_id, order_id) LEFT JOIN products p ON p.sku = l.sku
  WHERE l.line_type = 'product'
  GROUP BY ALL
), per AS (
  SELECT o.member_id, count(*) AS orders, sum(o.product_value)::DECIMAL(18,4) AS revenue,
         sum(coalesce(g.margin, 0))::DECIMAL(18,4) AS margin
  FROM o LEFT JOIN margins g USING (channel_id, order_id)
  GROUP BY o.member_id
), prior AS (
  SELECT member_id, count(DISTINCT created_at::DATE) AS occasions, max(created_at) AS last_at
  FROM order_values
  WHERE is_purchase AND created_at < $3::TIMESTAMP AND member_id IN (SELECT member_id FROM m)
  GROUP BY member_id
), pre AS (
  SELECT member_id, count(*) AS orders, sum(product_value)::DECIMAL(18,4) AS revenue
  FROM order_values
  WHERE is_purchase AND created_at >= $8::TIMESTAMP AND created_at < $9::TIMESTAMP AND member_id IN (SELECT member_id FROM m)
  GROUP BY member_id
)
SELECT m.member_id, m.grp,
       (per.orders > 0 AND CASE $5
             WHEN 'reactivation' THEN prior.last_at IS NOT NULL AND prior.last_at < $3::TIMESTAMP - to_days($7::INTEGER)
             WHEN 'second_purchase' THEN prior.occasions = 1
             ELSE TRUE END) IS TRUE AS responded,
       coalesce(per.revenue, 0)::VARCHAR AS revenue,
       coalesce(per.margin, 0)::VARCHAR AS margin,
       coalesce(pre.revenue, 0)::VARCHAR AS pre_revenue,
       coalesce(pre.orders, 0) AS pre_orders
FROM m LEFT JOIN per USING (member_id) LEFT JOIN prior USING (member_id) LEFT JOIN pre USING (member_id)
ORDER BY m.member_id;
