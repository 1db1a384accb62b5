-- A webhook's deliveries go in order per subject (an activity): only the first pending one of a
-- subject, its head, may be sent. The claim found the heads by reading every pending delivery of
-- every webhook, so its cost grew with the backlog of failing webhooks. A head is now marked when
-- it is recorded (none of its subject pending before it) or when the one before it ends, and the
-- claim reads only due heads, each webhook's through this index.
ALTER TABLE webhook_deliveries ADD COLUMN head boolean NOT NULL DEFAULT false;

UPDATE webhook_deliveries d SET head = true
 WHERE d.state = 'pending'
   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                    WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject
                      AND e.state = 'pending'
                      AND (e.event_xid, e.event_id) < (d.event_xid, d.event_id));

CREATE INDEX webhook_deliveries_heads
  ON webhook_deliveries (webhook_id, next_attempt_at) WHERE state = 'pending' AND head;
