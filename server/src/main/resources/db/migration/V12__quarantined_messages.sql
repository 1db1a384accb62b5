-- Client messages the exchange could not read or the database refused: kept for admins with the
-- reason, acknowledged to the client, and never tried again (one bad message must not fail its
-- computer's every exchange). Each computer keeps its newest few; the exchange trims the rest.
CREATE TABLE quarantined_messages (
  id          bigserial PRIMARY KEY,
  computer_id bigint NOT NULL REFERENCES computers (id),
  received_at timestamptz NOT NULL,
  -- the message's type as sent (made storable and cut short), or '' when it had none
  type        text NOT NULL,
  reason      text NOT NULL,
  -- the message as JSON, made storable and cut at 64 KiB; size is its whole length
  message     text NOT NULL,
  size        integer NOT NULL
);
CREATE INDEX quarantined_messages_computer ON quarantined_messages (computer_id, id);
