-- The sweeps take each account's movable rows in turn (Scheduler): an account with a backlog of
-- due, expiring or timed-out activities moves at the pace of the others, rather than before
-- them. Each sweep reads, for every account, the first rows of that account's index, so each
-- index is led by the account. (Waiting activities are found through the activities they wait
-- on, activities_waiting, as before.)
DROP INDEX activities_scheduled;
CREATE INDEX activities_due_server ON activities (account_id, deliver_after)
  WHERE status = 'scheduled' AND kind = 'server';

DROP INDEX activities_expiring;
CREATE INDEX activities_expiring ON activities (account_id, deliver_before)
  WHERE deliver_before IS NOT NULL AND status IN ('queued', 'scheduled', 'waiting', 'blocked');

DROP INDEX activities_running_server;
CREATE INDEX activities_running_server ON activities (account_id, delivered_at)
  WHERE status = 'in-progress' AND kind = 'server';
