-- The event log that streams and webhooks read: every activity transition (activity_events) and
-- every computer registration and removal (computer_events), in one order.
--
-- Ids come from one sequence, but a sequence is not commit-ordered: a reader could see id 11
-- before the transaction holding id 10 commits, and pass 10 by for good. So each row also keeps
-- the id of the transaction that wrote it, and the log's order is (xid, id): a reader takes only
-- rows whose transaction is older than the oldest one still running (the xmin of
-- pg_current_snapshot()). Every such transaction has ended, and every later one has a larger xid,
-- so nothing can ever appear before what a reader has already read.
ALTER TABLE activity_events
  ADD COLUMN xid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint;
ALTER TABLE activity_events_archive ADD COLUMN xid bigint;
CREATE INDEX activity_events_log ON activity_events (xid, id);

CREATE TABLE computer_events (
  id          bigint PRIMARY KEY DEFAULT nextval('activity_events_id_seq'),
  xid         bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  computer_id bigint NOT NULL REFERENCES computers (id),
  kind        text NOT NULL CHECK (kind IN ('computer-registered', 'computer-removed')),
  at          timestamptz NOT NULL
);
CREATE INDEX computer_events_log ON computer_events (xid, id);

-- A computer's registration and removal are logged by the statements that make them, in their
-- transaction, whichever path (a registering agent, the admin API, RemoveComputerActivity) runs.
CREATE FUNCTION log_computer_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO computer_events (account_id, computer_id, kind, at)
  VALUES (NEW.account_id, NEW.id,
          CASE TG_OP WHEN 'INSERT' THEN 'computer-registered' ELSE 'computer-removed' END,
          CASE TG_OP WHEN 'INSERT' THEN NEW.registered_at ELSE NEW.removed_at END);
  RETURN NULL;
END
$$;

CREATE TRIGGER computer_registered
  AFTER INSERT ON computers
  FOR EACH ROW EXECUTE FUNCTION log_computer_event();
CREATE TRIGGER computer_removed
  AFTER UPDATE OF removed_at ON computers
  FOR EACH ROW WHEN (OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL)
  EXECUTE FUNCTION log_computer_event();

-- Readers of the log wait on this channel rather than poll. Statement-level, and a transaction's
-- notices with one payload are folded into one, so a batch of transitions is one notice; a
-- statement that logged nothing (an exchange that moved no activity) notifies no one, since a
-- notice costs its transaction a lock at commit that every notifying transaction shares.
CREATE FUNCTION notify_event_logged() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM logged) THEN
    PERFORM pg_notify('outpost_events', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER activity_events_logged
  AFTER INSERT ON activity_events REFERENCING NEW TABLE AS logged
  FOR EACH STATEMENT EXECUTE FUNCTION notify_event_logged();
CREATE TRIGGER computer_events_logged
  AFTER INSERT ON computer_events REFERENCING NEW TABLE AS logged
  FOR EACH STATEMENT EXECUTE FUNCTION notify_event_logged();
