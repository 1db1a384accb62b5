-- The rest of the lifecycle: delivery windows, dependencies, timeouts, rate control, approval.
ALTER TABLE activities
  ADD COLUMN deliver_before        timestamptz,          -- not delivered by then: canceled, 'expired'
  ADD COLUMN depends_on            bigint REFERENCES activities (id),
  ADD COLUMN progress_threshold    smallint CHECK (progress_threshold BETWEEN 1 AND 100),
  ADD COLUMN run_on_dependency_failure boolean NOT NULL DEFAULT false,
  ADD COLUMN timeout_seconds       integer,              -- server activities: longest run
  ADD COLUMN max_concurrency       integer,              -- groups: children in progress at once
  ADD COLUMN max_errors            integer,              -- groups: failures before the rest is canceled
  ADD COLUMN result_at             timestamptz;          -- when the agent's result was recorded

ALTER TABLE activities_archive
  ADD COLUMN deliver_before        timestamptz,
  ADD COLUMN depends_on            bigint,
  ADD COLUMN progress_threshold    smallint,
  ADD COLUMN run_on_dependency_failure boolean NOT NULL DEFAULT false,
  ADD COLUMN timeout_seconds       integer,
  ADD COLUMN max_concurrency       integer,
  ADD COLUMN max_errors            integer,
  ADD COLUMN result_at             timestamptz;

ALTER TABLE accounts
  -- activity types that always start Blocked, awaiting approval
  ADD COLUMN approval_types        text[] NOT NULL DEFAULT '{}',
  -- whether client activities with no result past the deadline end Failed ('no-result')
  ADD COLUMN fail_stale_results    boolean NOT NULL DEFAULT false;

-- The scheduler's sweeps: each finds its rows through one of these.
CREATE INDEX activities_scheduled ON activities (deliver_after) WHERE status = 'scheduled';
CREATE INDEX activities_waiting ON activities (depends_on) WHERE status = 'waiting';
CREATE INDEX activities_expiring ON activities (deliver_before)
  WHERE deliver_before IS NOT NULL AND status IN ('queued', 'scheduled', 'waiting', 'blocked');
CREATE INDEX activities_running ON activities (delivered_at)
  WHERE status = 'in-progress';
CREATE INDEX activities_limited_groups ON activities (id)
  WHERE max_concurrency IS NOT NULL OR max_errors IS NOT NULL;
