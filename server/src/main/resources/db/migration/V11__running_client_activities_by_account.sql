-- The stale-result sweep looks, every second, for the running client activities of the accounts
-- that fail stale results, oldest delivery first. Indexed by delivery alone, it walked the
-- running activities of every account to find them: one account keeping stale activities
-- (agents gone for good) made each sweep read all of those. Led by the account, each sweep reads
-- the due activities of the accounts that fail them; server activities have their own index.
DROP INDEX activities_running;
CREATE INDEX activities_running_client ON activities (account_id, delivered_at)
  WHERE status = 'in-progress' AND kind = 'client';
