-- The computer query a request targeted, kept on what it created (the group, or the one activity
-- when it selected a single computer), as written: '' for all_computers. Resolved once, at
-- creation; NULL when the request named computer_ids. The archive takes rows with SELECT *, so it
-- gains the same column in the same place.
ALTER TABLE activities ADD COLUMN target_query text;
ALTER TABLE activities_archive ADD COLUMN target_query text;
