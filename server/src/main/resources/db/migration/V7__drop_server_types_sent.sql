-- Whether accepted-types must be sent again is read from the outgoing store itself.
ALTER TABLE computers DROP COLUMN server_types_sent;
