-- Client activities canceled while In Progress on a computer whose agent accepts
-- cancel-operation: each waits here until an exchange of its computer takes it, in the same
-- transaction that writes the cancel-operation message into the computer's outgoing store, so it
-- is sent once. The table is empty but for cancels on their way: the exchange's lookup by
-- computer reads an empty index.
CREATE TABLE cancel_notices (
  activity_id bigint PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
  computer_id bigint NOT NULL REFERENCES computers (id),
  created_at  timestamptz NOT NULL
);
CREATE INDEX cancel_notices_computer ON cancel_notices (computer_id);
