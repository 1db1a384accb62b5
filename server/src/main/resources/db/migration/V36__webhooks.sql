-- Webhooks: an account's receivers of events, each with the query selecting its events and the
-- secret its deliveries are signed with (kept to sign with, never shown again).
CREATE TABLE webhooks (
  id              bigserial PRIMARY KEY,
  account_id      bigint NOT NULL REFERENCES accounts (id),
  url             text NOT NULL,
  query           text NOT NULL,
  secret          text NOT NULL,
  created_at      timestamptz NOT NULL,
  -- the position in the event log (xid, id) up to which deliveries have been recorded
  cursor_xid      bigint NOT NULL,
  cursor_id       bigint NOT NULL,
  failing_since   timestamptz,          -- the first failure since the last success
  disabled_at     timestamptz,
  disabled_reason text
);
CREATE INDEX webhooks_account ON webhooks (account_id, id);

-- The outbox of webhooks: one row per event a webhook selected, recorded in the transaction that
-- moves the webhook's cursor past the event, so a crash loses none and records none twice.
CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_xid       bigint NOT NULL,
  event_id        bigint NOT NULL,
  subject         text NOT NULL,        -- deliveries of one subject (an activity) go in order
  body            text NOT NULL,        -- the event as sent
  event_at        timestamptz NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'abandoned')),
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,          -- claimed by a sender until then
  finished_at     timestamptz
);
CREATE INDEX webhook_deliveries_pending
  ON webhook_deliveries (webhook_id, subject, event_xid, event_id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_finished
  ON webhook_deliveries (finished_at) WHERE state <> 'pending';
