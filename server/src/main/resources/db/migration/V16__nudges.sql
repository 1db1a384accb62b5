-- Nudges: whatever makes a client activity deliverable tells every server, through NOTIFY on
-- 'outpost_nudges', which computers to nudge; a server holding one of them on its channel tells
-- the agent to exchange now. NOTIFY is sent at commit, so the exchange it starts finds the work.
-- A payload is computer ids, comma-separated, at most 400 of them (under PostgreSQL's 8000
-- bytes): a fan-out to 100,000 computers is 250 notices, not 100,000.
CREATE FUNCTION nudge_computers(computers bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outpost_nudges', string_agg(id::text, ','))
     FROM (SELECT id, (row_number() OVER () - 1) / 400 AS chunk
             FROM (SELECT DISTINCT id FROM unnest(computers) AS c (id)
                    WHERE id IS NOT NULL) d) numbered
    GROUP BY chunk;
END
$$;

-- Created (and reapplied, which creates): a client activity that may go now.
CREATE FUNCTION nudge_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nudge_computers(ARRAY(
    SELECT computer_id FROM created
     WHERE kind = 'client' AND status IN ('queued', 'scheduled')
       AND (deliver_after IS NULL OR deliver_after <= created_at)));
  RETURN NULL;
END
$$;

-- A status change: into Queued or Scheduled (approved, released by its dependency, ...), so
-- its computer has work; out of In Progress into Canceled, so its agent hears of the cancel;
-- out of In Progress in a group with a concurrency limit, so a slot is free: as many of the
-- group's undelivered children's computers as slots were freed.
CREATE FUNCTION nudge_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

CREATE TRIGGER activities_nudge_created
  AFTER INSERT ON activities REFERENCING NEW TABLE AS created
  FOR EACH STATEMENT EXECUTE FUNCTION nudge_created();

CREATE TRIGGER activities_nudge_moved
  AFTER UPDATE ON activities REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new
  FOR EACH STATEMENT EXECUTE FUNCTION nudge_moved();

-- A Scheduled client activity becomes deliverable when its time comes, with no write: the
-- scheduler nudges its computer then, finding it through this index.
CREATE INDEX activities_due_client ON activities (deliver_after)
  WHERE status = 'scheduled' AND kind = 'client';
