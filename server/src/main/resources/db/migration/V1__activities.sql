-- Accounts own everything: admins, computers and activities never cross an account.
CREATE TABLE accounts (
  id                    bigserial PRIMARY KEY,
  name                  text NOT NULL UNIQUE,
  registration_key_hash bytea NOT NULL,
  created_at            timestamptz NOT NULL
);

-- Admin tokens are stored as SHA-256 hashes: a leaked table grants nothing.
CREATE TABLE admin_tokens (
  id         bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  name       text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE computers (
  id               bigserial PRIMARY KEY,          -- also the agent's insecure-id
  account_id       bigint NOT NULL REFERENCES accounts (id),
  title            text NOT NULL,
  hostname         text,
  tags             text[] NOT NULL DEFAULT '{}',
  secure_id_hash   bytea UNIQUE,                   -- NULL once the computer is removed
  registered_at    timestamptz NOT NULL,
  last_exchange_at timestamptz,
  removed_at       timestamptz
);
CREATE INDEX computers_account ON computers (account_id, id);

CREATE TABLE activities (
  id             bigserial PRIMARY KEY,
  account_id     bigint NOT NULL REFERENCES accounts (id),
  parent_id      bigint REFERENCES activities (id),
  computer_id    bigint REFERENCES computers (id),
  kind           text NOT NULL CHECK (kind IN ('client', 'server')),
  type           text NOT NULL,
  -- A group's status is derived from its children (group_status below), never stored.
  status         text CHECK (status IN ('queued', 'scheduled', 'waiting', 'blocked',
                                        'in-progress', 'failed', 'canceled', 'succeeded')),
  summary        text NOT NULL,
  parameters     jsonb NOT NULL DEFAULT '{}',
  creator        text NOT NULL,
  created_at     timestamptz NOT NULL,
  deliver_after  timestamptz,
  delivered_at   timestamptz,
  completed_at   timestamptz,
  result_code    integer,
  result_text    text,
  progress       smallint CHECK (progress BETWEEN 0 AND 100),
  attempt        integer NOT NULL DEFAULT 0,
  version        bigint NOT NULL DEFAULT 0,
  CONSTRAINT group_has_no_status CHECK ((status IS NULL) = (type = 'ActivityGroup'))
);
CREATE INDEX activities_account_newest ON activities (account_id, id DESC);
CREATE INDEX activities_account_status ON activities (account_id, status, type, id DESC);
CREATE INDEX activities_parent ON activities (parent_id, status) WHERE parent_id IS NOT NULL;
CREATE INDEX activities_computer ON activities (computer_id, status) WHERE computer_id IS NOT NULL;

-- The append-only transition log: one row per status change, written in the same statement.
CREATE TABLE activity_events (
  id          bigserial PRIMARY KEY,
  activity_id bigint NOT NULL REFERENCES activities (id),
  from_status text,                                -- NULL for the creation event
  to_status   text NOT NULL,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  reason      text
);
CREATE INDEX activity_events_activity ON activity_events (activity_id, id);

-- The status of a group, from its children's (the rule is in README.md):
--   all children final: failed if any failed, else canceled if any canceled, else succeeded;
--   otherwise in-progress once any child is in progress or final;
--   otherwise the most advanced start state among the children (queued, scheduled, waiting, blocked).
CREATE FUNCTION group_status(group_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN count(*) = 0 THEN NULL
    WHEN bool_and(status IN ('failed', 'canceled', 'succeeded')) THEN
      CASE WHEN bool_or(status = 'failed') THEN 'failed'
           WHEN bool_or(status = 'canceled') THEN 'canceled'
           ELSE 'succeeded' END
    WHEN bool_or(status IN ('in-progress', 'failed', 'canceled', 'succeeded')) THEN 'in-progress'
    WHEN bool_or(status = 'queued') THEN 'queued'
    WHEN bool_or(status = 'scheduled') THEN 'scheduled'
    WHEN bool_or(status = 'waiting') THEN 'waiting'
    ELSE 'blocked'
  END
  FROM activities WHERE parent_id = group_id
$$;
