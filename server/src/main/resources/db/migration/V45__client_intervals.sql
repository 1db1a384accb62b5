-- The account's client intervals (seconds), sent to its computers as set-intervals; NULL leaves
-- that interval as each client has it. intervals_version grows with every change of them, and a
-- computer's intervals_sent is the version last put in its outgoing store, so each computer is
-- sent a change once, at its next exchange, and a computer registering later gets it too.
ALTER TABLE accounts
  ADD COLUMN exchange_interval        integer CHECK (exchange_interval BETWEEN 10 AND 86400),
  ADD COLUMN urgent_exchange_interval integer CHECK (urgent_exchange_interval BETWEEN 10 AND 86400),
  ADD COLUMN ping_interval            integer CHECK (ping_interval BETWEEN 10 AND 86400),
  ADD COLUMN intervals_version        bigint NOT NULL DEFAULT 0;
ALTER TABLE computers
  ADD COLUMN intervals_sent bigint NOT NULL DEFAULT 0;
