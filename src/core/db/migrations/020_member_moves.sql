-- 020: identity resolution stamps every identity whose member it changes with the number of that
-- resolution (member_seq), so the refresh's order-facts sync reads only the identities moved
-- since its last sync instead of joining every order to every identity (41.5M orders to 34M
-- identities at ten million members, on every refresh). order_fact_sync keeps the last number the
-- order facts were synced to; -1 makes the first sync after this migration check every order.
ALTER TABLE identities ADD COLUMN member_seq BIGINT DEFAULT 0;

CREATE SEQUENCE member_move_seq START 1;

CREATE TABLE order_fact_sync (synced_seq BIGINT NOT NULL);

INSERT INTO order_fact_sync VALUES (-1);
