-- The exchange's two updates of activities (delivering: to In Progress; results: to Succeeded or
-- Failed) fire nudge_moved in every batch, and neither nudges anyone unless an activity was in a
-- group (a freed slot of a concurrency limit). nudge_moved now looks at the new rows once and
-- returns when none can nudge, rather than joining the old rows to the new and grouping them
-- for nothing: what it nudges is unchanged.
CREATE OR REPLACE FUNCTION nudge_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM moved_new
                  WHERE kind = 'client'
                    AND (status IN ('queued', 'scheduled', 'canceled') OR parent_id IS NOT NULL)) THEN
    RETURN NULL;
  END IF;
  PERFORM nudge_computers(ARRAY(
    SELECT n.computer_id FROM moved_new n JOIN moved_old o ON o.id = n.id
     WHERE n.kind = 'client' AND n.status IS DISTINCT FROM o.status
       AND (n.status IN ('queued', 'scheduled')
            OR (o.status = 'in-progress' AND n.status = 'canceled'))
    UNION ALL
    SELECT s.computer_id
      FROM (SELECT n.parent_id, count(*) AS freed
              FROM moved_new n JOIN moved_old o ON o.id = n.id
             WHERE n.kind = 'client' AND n.parent_id IS NOT NULL
               AND o.status = 'in-progress' AND n.status <> 'in-progress'
             GROUP BY n.parent_id) f
      JOIN activities p ON p.id = f.parent_id AND p.max_concurrency IS NOT NULL
      CROSS JOIN LATERAL (
        SELECT computer_id FROM activities s
         WHERE s.parent_id = p.id AND s.status IN ('queued', 'scheduled')
         LIMIT f.freed) s));
  RETURN NULL;
END
$$;
