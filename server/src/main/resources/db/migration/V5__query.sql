-- Reapplying an activity creates a new one that names the one it redoes. No foreign key: the
-- original may be archived (moved to activities_archive) while the new one stays live.
ALTER TABLE activities ADD COLUMN reapplied_from bigint;
-- The archive takes rows with SELECT *, so it gains the same column in the same place.
ALTER TABLE activities_archive ADD COLUMN reapplied_from bigint;

-- A group's children counted per status, {"queued": 2, "failed": 1}, from whichever table holds
-- them (a group and its children are archived together).
CREATE FUNCTION group_children_by_status(group_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(jsonb_object_agg(status, n), '{}'::jsonb)
    FROM (SELECT status, count(*) AS n
            FROM (SELECT status FROM activities WHERE parent_id = group_id
                  UNION ALL
                  SELECT status FROM activities_archive WHERE parent_id = group_id) children
           GROUP BY status) counted
$$;

-- Groups newest first, for GET /activities/parents and type:ActivityGroup (a group is the one
-- row without a status of its own); small, as only groups are in it.
CREATE INDEX activities_account_groups ON activities (account_id, id DESC) WHERE status IS NULL;

-- created-after: / created-before: windows; without it an old window is found by reading every
-- newer activity.
CREATE INDEX activities_account_created ON activities (account_id, created_at);
