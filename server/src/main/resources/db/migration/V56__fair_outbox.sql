-- The outbox relay publishes server activities fairly across accounts: each account's waiting
-- rows in turn, and no more than a bound of its jobs published and not yet ended, so one
-- account's flood never fills the job queue ahead of another's activity.
--
-- A row now stays after it is published (published_at set) until its activity leaves Queued and
-- In Progress, when the trigger below deletes it: the published rows of an account are its jobs
-- in the queue or running, which the relay counts against the bound.
ALTER TABLE outbox
  ADD COLUMN account_id   bigint REFERENCES accounts (id),
  ADD COLUMN published_at timestamptz;

UPDATE outbox o SET account_id = a.account_id FROM activities a WHERE a.id = o.activity_id;

ALTER TABLE outbox ALTER COLUMN account_id SET NOT NULL;

-- each account's waiting rows, oldest first (also how the relay finds the accounts that wait)
CREATE INDEX outbox_waiting ON outbox (account_id, id) WHERE published_at IS NULL;
-- each account's published rows, counted against its bound; their age, for the republish
CREATE INDEX outbox_published ON outbox (account_id, published_at) WHERE published_at IS NOT NULL;
-- an activity's rows, deleted as it ends
CREATE INDEX outbox_activity ON outbox (activity_id);

-- A server activity that leaves Queued and In Progress (it ended, or went back to Blocked) has
-- nothing more to do in the job queue: its rows go, published or not, and free its account's room.
CREATE FUNCTION outbox_activity_left() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM outbox WHERE activity_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_activity_left
  AFTER UPDATE OF status ON activities
  FOR EACH ROW
  WHEN (NEW.kind = 'server' AND NEW.status IS DISTINCT FROM OLD.status
        AND NEW.status NOT IN ('queued', 'in-progress'))
  EXECUTE FUNCTION outbox_activity_left();
