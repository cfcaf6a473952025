-- 050: loyalty figures per member and programme, handed over from the operational store after
-- the loyalty jobs (src/loyalty/publish.ts); segments read them here, never the ledger itself.
-- Each publication replaces a programme's rows in one transaction (no key: decision 0006).
CREATE TABLE member_loyalty (
  programme_id    VARCHAR NOT NULL,
  member_id       VARCHAR NOT NULL,
  tier            VARCHAR,
  balance         BIGINT NOT NULL,   -- released, unexpired points minus debt
  expiring_30d    BIGINT NOT NULL,   -- points of open lots expiring within 30 days of publication
  lifetime_earned BIGINT NOT NULL,   -- points of every earn (orders and activities), before spends, reversals and expiry
  published_at    TIMESTAMP NOT NULL
);
