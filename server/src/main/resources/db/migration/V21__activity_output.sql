-- A running client activity's output as its agent sends it, in chunks keyed by where each starts
-- (in characters, Unicode code points), so a chunk sent again changes nothing. A chunk that passes
-- the cap is cut there, and an empty chunk at the cap says that more was refused. The chunks go
-- with their activity when it is archived.
CREATE TABLE activity_output (
  activity_id  bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  start_offset integer NOT NULL,
  text         text NOT NULL,
  PRIMARY KEY (activity_id, start_offset)
);
