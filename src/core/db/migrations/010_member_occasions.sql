-- 010: purchase occasions stored by each refresh (the view recomputes them from every order
-- line), sorted by member, for segment rules on purchase facts.
CREATE TABLE member_occasions (
  member_id VARCHAR NOT NULL,
  day       DATE NOT NULL,
  orders    BIGINT NOT NULL,
  value     DECIMAL(18,4) NOT NULL
);
