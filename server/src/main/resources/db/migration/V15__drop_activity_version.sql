-- activities.version was raised by every status change and read by nothing. The guards that make
-- a late write lose are the state a write moves from, read under the row's lock (Transitions),
-- and for a job its (lease_owner, attempt); a version on top would guard nothing more, and every
-- write paid for it. The archive drops it too: ArchiveRequest copies rows by position.
ALTER TABLE activities DROP COLUMN version;
ALTER TABLE activities_archive DROP COLUMN version;
