-- 004: API keys. Only a SHA-256 hash of the secret is stored; the key is shown once.
CREATE TABLE api_keys (
  key_id       VARCHAR PRIMARY KEY,
  name         VARCHAR NOT NULL,
  scope        VARCHAR NOT NULL,      -- admin, analyst, operator, integrator
  hash         VARCHAR NOT NULL,
  created_at   TIMESTAMP NOT NULL,
  last_used_at TIMESTAMP,
  revoked_at   TIMESTAMP
);
