-- 021: member tags are stored one row per member (a column pair per tag: the value and the
-- measure behind it) instead of one row per member and tag. A refresh writes a few hundred
-- thousand rows sorted by member at a million members instead of millions, and builds them with
-- one join of the per-member aggregates instead of a union of twelve. member_tags stays as a
-- view with the same columns (as_of, member_id, tag, value, measure), so segment rules,
-- campaigns and the member profile read tags as before; a member without a tag has no row.
CREATE TABLE member_tag_sets (
  as_of DATE NOT NULL,
  member_id VARCHAR NOT NULL,
  preferred_category VARCHAR,
  preferred_category_measure VARCHAR,
  preferred_brand VARCHAR,
  preferred_brand_measure VARCHAR,
  preferred_item VARCHAR,
  preferred_item_measure VARCHAR,
  price_sensitivity VARCHAR,
  price_sensitivity_measure VARCHAR,
  new_product_sensitivity VARCHAR,
  new_product_sensitivity_measure VARCHAR,
  brand_sensitivity VARCHAR,
  brand_sensitivity_measure VARCHAR,
  category_sensitivity VARCHAR,
  category_sensitivity_measure VARCHAR,
  best_send_hour VARCHAR,
  best_send_hour_measure VARCHAR,
  hour_habit VARCHAR,
  hour_habit_measure VARCHAR,
  weekday_habit VARCHAR,
  weekday_habit_measure VARCHAR,
  browsing_style VARCHAR,
  integrity VARCHAR,
  integrity_measure VARCHAR
);

INSERT INTO member_tag_sets
SELECT as_of, member_id,
       max(value) FILTER (WHERE tag = 'preferred_category'),
       max(measure) FILTER (WHERE tag = 'preferred_category'),
       max(value) FILTER (WHERE tag = 'preferred_brand'),
       max(measure) FILTER (WHERE tag = 'preferred_brand'),
       max(value) FILTER (WHERE tag = 'preferred_item'),
       max(measure) FILTER (WHERE tag = 'preferred_item'),
       max(value) FILTER (WHERE tag = 'price_sensitivity'),
       max(measure) FILTER (WHERE tag = 'price_sensitivity'),
       max(value) FILTER (WHERE tag = 'new_product_sensitivity'),
       max(measure) FILTER (WHERE tag = 'new_product_sensitivity'),
       max(value) FILTER (WHERE tag = 'brand_sensitivity'),
       max(measure) FILTER (WHERE tag = 'brand_sensitivity'),
       max(value) FILTER (WHERE tag = 'category_sensitivity'),
       max(measure) FILTER (WHERE tag = 'category_sensitivity'),
       max(value) FILTER (WHERE tag = 'best_send_hour'),
       max(measure) FILTER (WHERE tag = 'best_send_hour'),
       max(value) FILTER (WHERE tag = 'hour_habit'),
       max(measure) FILTER (WHERE tag = 'hour_habit'),
       max(value) FILTER (WHERE tag = 'weekday_habit'),
       max(measure) FILTER (WHERE tag = 'weekday_habit'),
       max(value) FILTER (WHERE tag = 'browsing_style'),
       max(value) FILTER (WHERE tag = 'integrity'),
       max(measure) FILTER (WHERE tag = 'integrity')
FROM member_tags GROUP BY as_of, member_id ORDER BY member_id;

DROP TABLE member_tags;

CREATE VIEW member_tags AS
SELECT as_of, member_id, 'preferred_category' AS tag, preferred_category AS value, preferred_category_measure AS measure FROM member_tag_sets WHERE preferred_category IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'preferred_brand' AS tag, preferred_brand AS value, preferred_brand_measure AS measure FROM member_tag_sets WHERE preferred_brand IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'preferred_item' AS tag, preferred_item AS value, preferred_item_measure AS measure FROM member_tag_sets WHERE preferred_item IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'price_sensitivity' AS tag, price_sensitivity AS value, price_sensitivity_measure AS measure FROM member_tag_sets WHERE price_sensitivity IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'new_product_sensitivity' AS tag, new_product_sensitivity AS value, new_product_sensitivity_measure AS measure FROM member_tag_sets WHERE new_product_sensitivity IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'brand_sensitivity' AS tag, brand_sensitivity AS value, brand_sensitivity_measure AS measure FROM member_tag_sets WHERE brand_sensitivity IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'category_sensitivity' AS tag, category_sensitivity AS value, category_sensitivity_measure AS measure FROM member_tag_sets WHERE category_sensitivity IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'best_send_hour' AS tag, best_send_hour AS value, best_send_hour_measure AS measure FROM member_tag_sets WHERE best_send_hour IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'hour_habit' AS tag, hour_habit AS value, hour_habit_measure AS measure FROM member_tag_sets WHERE hour_habit IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'weekday_habit' AS tag, weekday_habit AS value, weekday_habit_measure AS measure FROM member_tag_sets WHERE weekday_habit IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'browsing_style' AS tag, browsing_style AS value, NULL::VARCHAR AS measure FROM member_tag_sets WHERE browsing_style IS NOT NULL
UNION ALL
SELECT as_of, member_id, 'integrity' AS tag, integrity AS value, integrity_measure AS measure FROM member_tag_sets WHERE integrity IS NOT NULL;
