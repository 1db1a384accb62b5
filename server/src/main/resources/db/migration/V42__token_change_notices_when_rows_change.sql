-- A statement trigger fires whether or not its statement changed a row: a sign-in's clean-up of
-- ended sessions, which mostly finds none, told every server to forget its cached tokens. The
-- notices now go only when a row of the tokens or the administrators changed (transition tables
-- say which; TRUNCATE, which has none, still always tells).
DROP TRIGGER admin_tokens_changed ON admin_tokens;
DROP TRIGGER administrators_changed ON administrators;

CREATE FUNCTION notify_admin_token_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed_rows) THEN
    PERFORM pg_notify('outpost_admin_tokens', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER admin_tokens_updated
  AFTER UPDATE ON admin_tokens REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_rows_changed();
CREATE TRIGGER admin_tokens_deleted
  AFTER DELETE ON admin_tokens REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_rows_changed();
CREATE TRIGGER admin_tokens_truncated
  AFTER TRUNCATE ON admin_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_change();

CREATE TRIGGER administrators_updated
  AFTER UPDATE ON administrators REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_rows_changed();
CREATE TRIGGER administrators_deleted
  AFTER DELETE ON administrators REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_rows_changed();
CREATE TRIGGER administrators_truncated
  AFTER TRUNCATE ON administrators
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_change();
