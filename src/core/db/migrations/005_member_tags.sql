-- 005: per-member tags, computed by the tags report as of one date (the latest refresh is kept).
CREATE TABLE member_tags (
  as_of     DATE NOT NULL,
  member_id VARCHAR NOT NULL,
  tag       VARCHAR NOT NULL,   -- preferred_category, best_send_hour, price_sensitivity, ...
  value     VARCHAR NOT NULL,   -- the label (a category, an hour, high/medium/low, ...)
  measure   VARCHAR,            -- the number behind it (a share, a count), as text
  PRIMARY KEY (as_of, member_id, tag)
);
