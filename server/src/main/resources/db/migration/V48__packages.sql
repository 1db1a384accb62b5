-- Packages the Landscape way. Each account has its own table of packages, one row per package
-- version its computers reported, named by the hash the client computes over the package's type,
-- name, version and relations (sha1, 20 bytes); the row's id is what the account's clients and the
-- server then use for it (package-ids, packages, change-packages).
CREATE TABLE packages (
  id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id     bigint NOT NULL REFERENCES accounts (id),
  hash           bytea NOT NULL CHECK (length(hash) = 20),
  type           integer NOT NULL,
  name           text NOT NULL,
  version        text NOT NULL,
  section        text,
  summary        text,
  size           bigint,
  installed_size bigint,
  added_at       timestamptz NOT NULL,
  UNIQUE (account_id, hash)
);
CREATE INDEX packages_name ON packages (account_id, name);

-- What each computer's packages messages said, kept as sorted arrays of package ids: installed,
-- available (installed ones too, when a source still has them), upgradable (the versions that
-- would upgrade an installed package) and held (locked, in the client's words). One row per
-- computer, rewritten whole when a packages message changes it.
CREATE TABLE computer_packages (
  computer_id bigint PRIMARY KEY REFERENCES computers (id),
  installed   integer[] NOT NULL DEFAULT '{}',
  available   integer[] NOT NULL DEFAULT '{}',
  upgradable  integer[] NOT NULL DEFAULT '{}',
  held        integer[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL
);
