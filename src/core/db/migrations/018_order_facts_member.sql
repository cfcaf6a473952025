-- 018: order_facts keeps its buyer's member as of the last write, so a refresh reads the orders
-- of each member straight from the table instead of joining four million orders to the
-- identities and copying the result. Identity resolution can later move a buyer to another
-- member; a refresh first brings the stored member up to date (src/ingest/order-facts.sql,
-- "stale"), and the order_values view still joins identities at read time for every other reader.
-- The column is filled by writing the table anew rather than by UPDATE: DuckDB updates rows one
-- version at a time (over two minutes for 4M orders), while rewriting them takes seconds.
ALTER TABLE order_facts ADD COLUMN member_id VARCHAR;

CREATE TEMP TABLE _facts_018 AS
SELECT f.* EXCLUDE (member_id), i.member_id FROM order_facts f LEFT JOIN identities i ON i.identity_id = f.buyer_id
ORDER BY f.created_at;

DELETE FROM order_facts;

INSERT INTO order_facts SELECT * FROM _facts_018;

DROP TABLE _facts_018;
