-- Secret parameters (passwords, tokens: the names the type registry marks secret) are kept only
-- until the activity is delivered. A secret no longer held stays in the parameters as JSON null,
-- so that the API still shows it was given and a reapply knows to ask for it again; a secret
-- never given is absent. The secret names come from the caller (the registry, in Java).
CREATE FUNCTION withhold_secrets(parameters jsonb, secrets text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN parameters ?| secrets
              THEN parameters || (SELECT jsonb_object_agg(name, 'null'::jsonb)
                                    FROM unnest(secrets) AS name WHERE parameters ? name)
              ELSE parameters END
$$;

-- What was stored before: delivered client activities and groups dropped nothing, and the
-- archive copied secrets in clear. The names are the registry's when this was written.
UPDATE activities SET parameters = withhold_secrets(parameters, '{password,token}')
 WHERE kind = 'client' AND (status IS NULL OR delivered_at IS NOT NULL)
   AND parameters ?| '{password,token}';
UPDATE activities_archive SET parameters = withhold_secrets(parameters, '{password,token}')
 WHERE parameters ?| '{password,token}';
