-- Per-computer state of the message exchange (PROTOCOL.md sections 4 and 5).
ALTER TABLE computers
  -- client to server: the sequence number of the next message the server expects
  ADD COLUMN next_expected_in     bigint NOT NULL DEFAULT 0,
  -- server to client: the sequence number of the oldest message in outgoing_messages
  ADD COLUMN out_base             bigint NOT NULL DEFAULT 0,
  ADD COLUMN exchange_token_hash  bytea,
  -- the message types the client accepts, as it last told them
  ADD COLUMN client_types         text[] NOT NULL DEFAULT '{}',
  -- md5 of the server-accepted types last put in the outgoing store, so it is sent once
  ADD COLUMN server_types_sent    bytea,
  ADD COLUMN registration_info    jsonb NOT NULL DEFAULT '{}';

-- Messages for a computer, oldest first by id; the first has sequence number computers.out_base.
CREATE TABLE outgoing_messages (
  id          bigserial PRIMARY KEY,
  computer_id bigint NOT NULL REFERENCES computers (id),
  message     bytea NOT NULL,            -- bpickle of one message dict
  created_at  timestamptz NOT NULL
);
CREATE INDEX outgoing_messages_computer ON outgoing_messages (computer_id, id);

-- Script attachments, fetched by the agent with GET /attachment/{id}.
CREATE TABLE attachments (
  id          bigserial PRIMARY KEY,
  computer_id bigint NOT NULL REFERENCES computers (id),
  activity_id bigint NOT NULL REFERENCES activities (id),
  name        text NOT NULL,
  content     bytea NOT NULL
);

-- Messages from clients that are recorded rather than acted on (usg-audit, computer-info, ...).
CREATE TABLE client_messages (
  id          bigserial PRIMARY KEY,
  computer_id bigint NOT NULL REFERENCES computers (id),
  type        text NOT NULL,
  body        jsonb NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX client_messages_computer_type ON client_messages (computer_id, type, id);

-- Deliverable client activities of a computer, found at every exchange.
CREATE INDEX activities_deliverable ON activities (computer_id, id)
  WHERE status IN ('queued', 'scheduled') AND kind = 'client';

-- One row per installation; server-uuid is answered in every exchange.
CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('server-uuid', gen_random_uuid()::text);
