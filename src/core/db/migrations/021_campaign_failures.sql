-- A campaign the scheduler cannot send (its channel is missing or invalid) is marked failed with
-- the reason, instead of stopping every other campaign's sends.
ALTER TABLE campaigns ADD COLUMN failure VARCHAR;
ALTER TABLE campaigns ADD COLUMN failed_at TIMESTAMP;
