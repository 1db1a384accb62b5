-- The execution-timeout sweep looks only at running server activities. Through the index of every
-- running activity it walked each running client activity too, once a second: a fleet's worth of
-- rows when every computer has a delivered activity waiting for its result.
CREATE INDEX activities_running_server ON activities (delivered_at)
  WHERE status = 'in-progress' AND kind = 'server';
