-- Lookups that scanned a whole table: found by EXPLAIN QUERY PLAN over the loyalty and coupon
-- statements. The first runs on every earn (its result is read back by entry), so at a million
-- lots every till call read every lot.
CREATE INDEX loyalty_lots_entry ON loyalty_lots (entry_id);
-- A rolled-back spend finds its restore entry (partial: only such entries name a related one, so
-- an earn writes no page of it); account merges move identifiers by account.
CREATE INDEX loyalty_entries_related ON loyalty_entries (related_entry) WHERE related_entry IS NOT NULL;
CREATE INDEX loyalty_account_keys_account ON loyalty_account_keys (account_id);
-- The sweep of lapsed reservations over every template, and a job's coupons.
CREATE INDEX coupons_lapsing ON coupons (state, reserved_until);
CREATE INDEX coupons_job ON coupons (job_id);
