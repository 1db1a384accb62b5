-- Servers cache who a bearer token belongs to; any change to the tokens tells every one of them
-- to forget what it cached (a new token needs no notice: unknown tokens are never cached).
-- Statement-level, so a bulk change is one notice; INSERT ... ON CONFLICT DO UPDATE (how a
-- token is rotated) fires the UPDATE trigger.
CREATE FUNCTION notify_admin_token_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outpost_admin_tokens', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER admin_tokens_changed
  AFTER UPDATE OR DELETE OR TRUNCATE ON admin_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_admin_token_change();
