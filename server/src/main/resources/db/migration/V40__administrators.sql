-- Administrators of an account, each with roles; every admin token belongs to one, and a token
-- may carry a subset of its administrator's roles (NULL: all of them, whatever they become).
-- Sessions (signed in with a password or a token) are tokens of kind 'session', expiring, and a
-- session opened with a token is revoked with it (parent_id).
CREATE TABLE administrators (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts (id),
  email         text NOT NULL,
  name          text NOT NULL,
  password_hash text,                 -- an Argon2id PHC string; NULL: no password sign-in
  roles         text[] NOT NULL,
  created_at    timestamptz NOT NULL,
  disabled_at   timestamptz,
  UNIQUE (account_id, email)
);
CREATE INDEX administrators_email ON administrators (lower(email));

ALTER TABLE accounts ADD COLUMN four_eyes boolean NOT NULL DEFAULT false;

ALTER TABLE admin_tokens
  ADD COLUMN administrator_id bigint REFERENCES administrators (id),
  ADD COLUMN roles            text[],
  ADD COLUMN kind             text NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'session')),
  ADD COLUMN expires_at       timestamptz,
  ADD COLUMN revoked_at       timestamptz,
  ADD COLUMN parent_id        bigint REFERENCES admin_tokens (id),
  ADD COLUMN creator          text,
  ADD COLUMN source           text;

-- The tokens made before administrators were the accounts' bootstrap tokens: each account gets
-- its first administrator, with every role, and they become its tokens.
INSERT INTO administrators (account_id, email, name, roles, created_at)
SELECT a.id, 'admin@localhost', 'admin', ARRAY['admin'], a.created_at
  FROM accounts a
 WHERE EXISTS (SELECT 1 FROM admin_tokens t WHERE t.account_id = a.id);
UPDATE admin_tokens t SET administrator_id = d.id
  FROM administrators d WHERE d.account_id = t.account_id;

ALTER TABLE admin_tokens ALTER COLUMN administrator_id SET NOT NULL;
ALTER TABLE admin_tokens DROP CONSTRAINT admin_tokens_account_id_name_key;
-- an administrator's live API tokens have names of their own; sessions and revoked ones need none
CREATE UNIQUE INDEX admin_tokens_live_name ON admin_tokens (administrator_id, name)
  WHERE kind = 'api' AND revoked_at IS NULL;
CREATE INDEX admin_tokens_parent ON admin_tokens (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX admin_tokens_account ON admin_tokens (account_id, id);

-- A change to an administrator (roles, disabling) changes what its tokens may do: the servers'
-- token caches forget, as for a change to the tokens themselves (V8).
CREATE TRIGGER administrators_changed
  AFTER UPDATE OR DELETE OR TRUNCATE ON administrators
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_change();
