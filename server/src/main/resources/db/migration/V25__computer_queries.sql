-- Computer queries (and the activities' computer:tag:) find tags by containment, tags @> ARRAY[t],
-- which this index answers; title:, hostname: and registered-after:/-before: use the account's
-- btree indexes (text_pattern_ops also serves LIKE prefixes, title:web-*). last_exchange_at has no
-- index on purpose: every exchange rewrites it, and an index on it would take every one of those
-- updates off the page (no HOT update) and add an index entry to each.
CREATE INDEX computers_tags ON computers USING gin (tags);
CREATE INDEX computers_account_title ON computers (account_id, title text_pattern_ops);
CREATE INDEX computers_account_hostname ON computers (account_id, hostname text_pattern_ops);
CREATE INDEX computers_account_registered ON computers (account_id, registered_at);
