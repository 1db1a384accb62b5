-- Saved scripts: what an admin keeps to run again. The code and its interpreter live in
-- immutable versions; the title and the defaults a run takes (user, time limit) are the script's.
CREATE TABLE scripts (
  id          bigserial PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  title       text NOT NULL,
  username    text,                       -- the user a run takes unless it names one
  time_limit  integer,                    -- seconds, likewise
  version     integer NOT NULL,           -- the number of the current version
  creator     text NOT NULL,
  created_at  timestamptz NOT NULL,
  archived_at timestamptz                 -- archived: hidden from listings, starts nothing new
);
CREATE INDEX scripts_account ON scripts (account_id, id DESC);

-- Every edit of the code or the interpreter adds a row; no row is ever changed.
CREATE TABLE script_versions (
  script_id   bigint NOT NULL REFERENCES scripts (id),
  number      integer NOT NULL,
  code        text NOT NULL,
  interpreter text NOT NULL,
  creator     text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (script_id, number)
);

-- Files uploaded to a script, delivered with each run of it.
CREATE TABLE script_attachments (
  id         bigserial PRIMARY KEY,
  script_id  bigint NOT NULL REFERENCES scripts (id),
  name       text NOT NULL,
  content    bytea NOT NULL,
  size       integer NOT NULL,
  creator    text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (script_id, name)
);

-- A delivered run of a saved script points at the script's attachment rather than copying it
-- for every computer; an attachment deleted from the script is gone for runs not fetched yet.
ALTER TABLE attachments
  ALTER COLUMN content DROP NOT NULL,
  ADD COLUMN script_attachment_id bigint REFERENCES script_attachments (id) ON DELETE CASCADE,
  ADD CONSTRAINT attachment_has_one_content
    CHECK ((content IS NULL) <> (script_attachment_id IS NULL));
CREATE INDEX attachments_script_attachment ON attachments (script_attachment_id)
  WHERE script_attachment_id IS NOT NULL;
