-- Retention: the server archives an account's activities finished more than retention_days ago,
-- once a day; retention_ran_on is the day (UTC) it last did, claimed in the transaction that
-- creates that day's ArchiveRequest, so one server of many does it.
ALTER TABLE accounts
  ADD COLUMN retention_days   integer CHECK (retention_days > 0),
  ADD COLUMN retention_ran_on date;
CREATE INDEX accounts_retention ON accounts (id) WHERE retention_days IS NOT NULL;
