-- Server activities reach RabbitMQ through a transactional outbox: a row is written in the same
-- statement that makes a server activity Queued, and deleted once the broker confirmed it.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  activity_id bigint NOT NULL REFERENCES activities (id),
  created_at  timestamptz NOT NULL
);

-- A job-handler holds a lease on the In Progress server activity it runs and renews it; once the
-- lease expires the activity is published again, up to a bounded number of attempts.
ALTER TABLE activities
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_until timestamptz;
CREATE INDEX activities_expired_leases ON activities (lease_until)
  WHERE kind = 'server' AND status = 'in-progress';

-- Finished activities moved out of the way by ArchiveRequest; still readable through the API.
CREATE TABLE activities_archive (LIKE activities INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE activities_archive ADD PRIMARY KEY (id);
CREATE INDEX activities_archive_account ON activities_archive (account_id, id DESC);
CREATE TABLE activity_events_archive (LIKE activity_events INCLUDING DEFAULTS);
ALTER TABLE activity_events_archive ADD PRIMARY KEY (id);
CREATE INDEX activity_events_archive_activity ON activity_events_archive (activity_id, id);
CREATE INDEX activities_archive_parent ON activities_archive (parent_id)
  WHERE parent_id IS NOT NULL;

-- A group and its children are archived together: its status reads whichever table holds them.
CREATE OR REPLACE FUNCTION group_status(group_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN count(*) = 0 THEN NULL
    WHEN bool_and(status IN ('failed', 'canceled', 'succeeded')) THEN
      CASE WHEN bool_or(status = 'failed') THEN 'failed'
           WHEN bool_or(status = 'canceled') THEN 'canceled'
           ELSE 'succeeded' END
    WHEN bool_or(status IN ('in-progress', 'failed', 'canceled', 'succeeded')) THEN 'in-progress'
    WHEN bool_or(status = 'queued') THEN 'queued'
    WHEN bool_or(status = 'scheduled') THEN 'scheduled'
    WHEN bool_or(status = 'waiting') THEN 'waiting'
    ELSE 'blocked'
  END
  FROM (SELECT status FROM activities WHERE parent_id = group_id
        UNION ALL
        SELECT status FROM activities_archive WHERE parent_id = group_id) children
$$;
