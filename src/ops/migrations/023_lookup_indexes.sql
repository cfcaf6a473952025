-- Lookups that scanned a whole table: found by EXPLAIN QUERY PLAN over the loyalty and coupon
-- statements. The first runs on every earn (its result is read back by entry), so at a million
-- lots every till call read every lot.
CREATE INDEX loyalty_lots_entry ON loyalty_lots (entry_id);
-- A rolled-back spend finds its restore entry; account merges move identifiers by account.
CREATE INDEX loyalty_entries_related ON loyalty_entries (related_entry);
CREATE INDEX loyalty_account_keys_account ON loyalty_account_keys (account_id);
-- The sweep of lapsed reservations over every template, and a job's coupons.
CREATE INDEX coupons_lapsing ON coupons (state, reserved_until);
CREATE INDEX coupons_job ON coupons (job_id);
