-- Groups newest first, for type:ActivityGroup (a group is the one row without a status of its
-- own); small, as only groups are in it.
CREATE INDEX activities_account_groups ON activities (account_id, id DESC) WHERE status IS NULL;

-- created-after: / created-before: windows; without it an old window is found by reading every
-- newer activity.
CREATE INDEX activities_account_created ON activities (account_id, created_at);
