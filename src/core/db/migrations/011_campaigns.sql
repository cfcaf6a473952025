-- 011: campaigns, their runs, frozen audiences with control groups, and every planned send.
-- Times are shop-local wall-clock values, like every other timestamp in the base.

-- Named outbound channels (an SMTP server, an SMS gateway's webhook, a CSV list);
-- waves refer to them by name. The config JSON may hold secrets; listings mask them.
CREATE TABLE message_channels (
  name       VARCHAR PRIMARY KEY,
  config     VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE campaigns (
  campaign_id VARCHAR PRIMARY KEY,
  name        VARCHAR NOT NULL,
  definition  VARCHAR NOT NULL,          -- the validated campaign JSON (goal, audience, control, waves, cost)
  status      VARCHAR NOT NULL,          -- draft, launched
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

-- One launch of a campaign: a weekly campaign has one run per week, each with its own audience.
CREATE TABLE campaign_runs (
  campaign_id   VARCHAR NOT NULL,
  run_id        INTEGER NOT NULL,
  starts_at     TIMESTAMP NOT NULL,      -- the campaign time T of this run (waves are relative to it)
  audience_as_of DATE NOT NULL,          -- the date the audience rule was evaluated as of
  launched_at   TIMESTAMP NOT NULL,
  control_bp    INTEGER NOT NULL,        -- control share in basis points (1000 = 10%)
  stratified    BOOLEAN NOT NULL,
  audience      BIGINT NOT NULL,
  control       BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, run_id)
);

-- The frozen audience: who was in it, in which group, recorded once at launch.
CREATE TABLE campaign_members (
  campaign_id VARCHAR NOT NULL,
  run_id      INTEGER NOT NULL,
  member_id   VARCHAR NOT NULL,
  grp         VARCHAR NOT NULL,          -- treatment, control
  stratum     VARCHAR NOT NULL,          -- lifecycle stage at launch when stratified, else 'all'
  bucket      INTEGER NOT NULL,          -- 0..9999 from md5(member_id:campaign_id)
  assigned_at TIMESTAMP NOT NULL
);

-- Which waves have had their sends planned (conditional waves are planned when due).
CREATE TABLE campaign_wave_plans (
  campaign_id VARCHAR NOT NULL,
  run_id      INTEGER NOT NULL,
  wave_id     VARCHAR NOT NULL,
  planned_at  TIMESTAMP NOT NULL,
  sends       BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, run_id, wave_id)
);

-- Every message: the idempotency key is the identity of a send across retries and restarts.
CREATE TABLE campaign_sends (
  send_key        VARCHAR NOT NULL,      -- campaign:run:wave:member
  campaign_id     VARCHAR NOT NULL,
  run_id          INTEGER NOT NULL,
  wave_id         VARCHAR NOT NULL,
  member_id       VARCHAR NOT NULL,
  channel         VARCHAR NOT NULL,      -- the wave's channel name
  due_at          TIMESTAMP NOT NULL,
  state           VARCHAR NOT NULL,      -- planned, sending, retry, sent, failed, suppressed
  reason          VARCHAR,               -- why suppressed or deferred
  attempts        INTEGER NOT NULL,
  next_attempt_at TIMESTAMP,
  provider_id     VARCHAR,
  sent_at         TIMESTAMP,
  last_error      VARCHAR,
  updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX campaign_sends_key ON campaign_sends (send_key);
