-- What each computer's client last reported of itself, kept one row per report type: each new
-- report replaces the last (computer-info, which the client sends only with the keys that
-- changed, is merged into it). Nothing piles up: a computer has at most one row per type.
CREATE TABLE computer_reports (
  computer_id bigint NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
  type        text NOT NULL,
  body        jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (computer_id, type)
);

-- The users and groups of each computer as its client reported them. The client sends them as
-- changes (create-, update-, delete-users, ...), which outpost_apply_users applies in order;
-- each is idempotent, so a message sent again changes nothing.
CREATE TABLE computer_users (
  computer_id bigint NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
  username    text NOT NULL,
  body        jsonb NOT NULL,
  PRIMARY KEY (computer_id, username)
);

CREATE TABLE computer_groups (
  computer_id bigint NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
  name        text NOT NULL,
  gid         bigint NOT NULL,
  members     text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (computer_id, name)
);

-- Applies users messages, the i-th to computers[i], in order; then keeps at most max_rows users
-- and groups (by name) and max_rows members per group of each computer it touched.
CREATE FUNCTION outpost_apply_users(computers bigint[], messages jsonb[], max_rows integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  c bigint;
  m jsonb;
BEGIN
  FOR i IN 1 .. coalesce(array_length(computers, 1), 0) LOOP
    c := computers[i];
    m := messages[i];
    INSERT INTO computer_users (computer_id, username, body)
    SELECT c, u->>'username', u
      FROM jsonb_array_elements(coalesce(m->'create-users', '[]') || coalesce(m->'update-users', '[]')) u
    ON CONFLICT (computer_id, username) DO UPDATE SET body = EXCLUDED.body;
    DELETE FROM computer_users
     WHERE computer_id = c
       AND username IN (SELECT jsonb_array_elements_text(coalesce(m->'delete-users', '[]')));
    INSERT INTO computer_groups (computer_id, name, gid)
    SELECT c, g->>'name', (g->>'gid')::bigint
      FROM jsonb_array_elements(coalesce(m->'create-groups', '[]') || coalesce(m->'update-groups', '[]')) g
    ON CONFLICT (computer_id, name) DO UPDATE SET gid = EXCLUDED.gid;
    DELETE FROM computer_groups
     WHERE computer_id = c
       AND name IN (SELECT jsonb_array_elements_text(coalesce(m->'delete-groups', '[]')));
    UPDATE computer_groups g
       SET members = ARRAY(SELECT DISTINCT x FROM unnest(g.members || ARRAY(
                             SELECT jsonb_array_elements_text(e.value))) x ORDER BY x)
      FROM jsonb_each(coalesce(m->'create-group-members', '{}')) e
     WHERE g.computer_id = c AND g.name = e.key;
    UPDATE computer_groups g
       SET members = ARRAY(SELECT x FROM unnest(g.members) x
                            WHERE x NOT IN (SELECT jsonb_array_elements_text(e.value)) ORDER BY x)
      FROM jsonb_each(coalesce(m->'delete-group-members', '{}')) e
     WHERE g.computer_id = c AND g.name = e.key;
  END LOOP;
  DELETE FROM computer_users u
   USING (SELECT DISTINCT k FROM unnest(computers) k) t
   WHERE u.computer_id = t.k
     AND u.username > (SELECT username FROM computer_users o WHERE o.computer_id = t.k
                        ORDER BY username OFFSET max_rows - 1 LIMIT 1);
  DELETE FROM computer_groups g
   USING (SELECT DISTINCT k FROM unnest(computers) k) t
   WHERE g.computer_id = t.k
     AND g.name > (SELECT name FROM computer_groups o WHERE o.computer_id = t.k
                    ORDER BY name OFFSET max_rows - 1 LIMIT 1);
  UPDATE computer_groups SET members = members[1:max_rows]
   WHERE computer_id = ANY(computers) AND cardinality(members) > max_rows;
END
$$;
