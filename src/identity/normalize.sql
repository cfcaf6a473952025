-- Identifier normalization, one definition used by imports and look-ups alike.
-- A phone becomes E.164 (+<country><number>); masked (138****1234) or implausible numbers become NULL.
CREATE OR REPLACE TEMP MACRO norm_phone_digits(raw) AS
  regexp_replace(regexp_replace(trim(raw), '^(\+|00)', ''), '[^0-9]', '', 'g');
CREATE OR REPLACE TEMP MACRO norm_phone(raw, cc) AS (
  CASE
    WHEN raw IS NULL OR trim(raw) = '' OR contains(raw, '*') OR regexp_matches(raw, '[A-Za-z]') THEN NULL
    ELSE (
      SELECT CASE WHEN length(e) BETWEEN 9 AND 16 THEN e END
      FROM (SELECT CASE
        WHEN regexp_matches(trim(raw), '^(\+|00)') THEN '+' || norm_phone_digits(raw)
        WHEN cc = '86' AND regexp_matches(norm_phone_digits(raw), '^1[3-9][0-9]{9}$') THEN '+86' || norm_phone_digits(raw)
        WHEN starts_with(norm_phone_digits(raw), cc) AND length(norm_phone_digits(raw)) >= length(cc) + 9
          THEN '+' || norm_phone_digits(raw)
        ELSE '+' || cc || ltrim(norm_phone_digits(raw), '0')
      END AS e)
    )
  END);
-- An email is trimmed and lower-cased; anything without one @ and a dotted domain is NULL.
CREATE OR REPLACE TEMP MACRO norm_email(raw) AS (
  CASE WHEN regexp_matches(lower(trim(raw)), '^[^@\s]+@[^@\s]+\.[^@\s]+$') THEN lower(trim(raw)) END);
-- Account-style IDs (buyer IDs, openids, unionids, POS cards) are trimmed; an Excel-style ="..." wrapper is removed.
CREATE OR REPLACE TEMP MACRO norm_account(raw) AS (
  NULLIF(regexp_replace(trim(raw), '^="?(.*?)"?$', '\1'), ''));
