-- 006: the per-member analytics tables are rewritten by date in bulk (delete the date, insert
-- it again); a primary-key index makes those deletes slow at millions of rows, so the
-- tables keep their columns without one. Uniqueness per (date, member) is kept by the
-- delete-then-insert inside one transaction.
CREATE TABLE member_rfm_new AS SELECT * FROM member_rfm;
DROP TABLE member_rfm;
ALTER TABLE member_rfm_new RENAME TO member_rfm;
CREATE TABLE member_lifecycle_new AS SELECT * FROM member_lifecycle;
DROP TABLE member_lifecycle;
ALTER TABLE member_lifecycle_new RENAME TO member_lifecycle;
CREATE TABLE member_tags_new AS SELECT * FROM member_tags;
DROP TABLE member_tags;
ALTER TABLE member_tags_new RENAME TO member_tags;
