-- The activities that have not started yet, by status, for the activities-by-status gauges
-- (health/Backlog): each count reads this index's entries of one status and nothing else. Only
-- the four start states are in it: a delivery (to In Progress) and a result (to a final state)
-- add no entry, so the exchange writes no more than before; creating an activity adds one. In
-- Progress is counted through activities_running_client and activities_running_server.
CREATE INDEX activities_not_started ON activities (status)
  WHERE status IN ('queued', 'scheduled', 'waiting', 'blocked');
