-- Every admin action, and every sign-in and failed one, in order: who (the administrator and the
-- token or session), when, from which address, what, and how it ended. Append-only: no row is
-- changed or removed once written.
CREATE TABLE audit_log (
  id               bigserial PRIMARY KEY,
  account_id       bigint REFERENCES accounts (id),  -- NULL: a failed sign-in naming no account
  at               timestamptz NOT NULL,
  administrator_id bigint,
  administrator    text,                             -- the email, as it was then
  token_id         bigint,
  token            text,                             -- the token's name, as it was then
  source           text NOT NULL,                    -- the client's address
  action           text NOT NULL,
  method           text,
  path             text,
  status           int NOT NULL,
  details          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_account ON audit_log (account_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
