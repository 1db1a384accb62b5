package dev.outpost.server.events;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityQuery;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The {@code webhooks} and {@code webhook_deliveries} tables: webhooks of an account, the outbox of
 * their deliveries (recorded from the event log as the webhook's cursor moves), the senders'
 * claims, outcomes and the delivery log.
 */
public final class WebhookStore {

  private static final String COLUMNS =
      "id, url, query, created_at, failing_since, disabled_at, disabled_reason";

  /** A webhook starts at the log's head, as a new stream does. */
  private static final String CREATE =
      """
      INSERT INTO webhooks (account_id, url, query, secret, created_at, cursor_xid, cursor_id)
      SELECT $1, $2, $3, $4, $5, pg_snapshot_xmin(pg_current_snapshot())::text::bigint, 0
       WHERE (SELECT count(*) FROM webhooks WHERE account_id = $1) < $6  -- $6: the most allowed
      RETURNING\s"""
          + COLUMNS;

  /**
   * Changes what is given ($3 to $5, NULL keeping it); $6 re-enables a disabled webhook, from the
   * log's head on: what happened while it was disabled is not sent.
   */
  private static final String UPDATE =
      """
      UPDATE webhooks w
         SET url = COALESCE($3, w.url), query = COALESCE($4, w.query),
             secret = COALESCE($5, w.secret),
             failing_since = CASE WHEN $6 THEN NULL ELSE w.failing_since END,
             disabled_reason = CASE WHEN $6 THEN NULL ELSE w.disabled_reason END,
             cursor_xid = CASE WHEN $6 AND w.disabled_at IS NOT NULL
                               THEN pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                               ELSE w.cursor_xid END,
             cursor_id = CASE WHEN $6 AND w.disabled_at IS NOT NULL THEN 0 ELSE w.cursor_id END,
             disabled_at = CASE WHEN $6 THEN NULL ELSE w.disabled_at END
       WHERE w.account_id = $1 AND w.id = $2
      RETURNING\s"""
          + COLUMNS;

  /** A webhook's cursor, locked by one dispatcher; another instance passes it by. */
  private static final String LOCK_CURSOR =
      """
      SELECT account_id, query, cursor_xid, cursor_id FROM webhooks
       WHERE id = $1 AND disabled_at IS NULL
         FOR UPDATE SKIP LOCKED
      """;

  /**
   * Records deliveries; each is its subject's head when it is the first of its subject here and
   * none of its subject is pending before it. The caller holds the webhook's row, which a delivery
   * ending takes before it makes the next one head, so neither misses the other's rows.
   */
  private static final String RECORD =
      """
      INSERT INTO webhook_deliveries (webhook_id, event_xid, event_id, subject, body, event_at,
                                      state, created_at, next_attempt_at, head)
      SELECT $1, x, i, s, b, t, 'pending', $7, $7,
             row_number() OVER (PARTITION BY s ORDER BY x, i) = 1
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                                WHERE p.webhook_id = $1 AND p.subject = d.s
                                  AND p.state = 'pending')
        FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
               AS d(x, i, s, b, t)
      """;

  /**
   * Claims up to $2 deliveries due at $1 until $3: only heads (the first pending one of each
   * webhook and subject, so one activity's events arrive in order), of enabled webhooks, not
   * claimed by a sender already, at most $6 of each webhook, the webhooks taken in turn from the
   * one after $4, passing by those of $5. Each webhook's due heads are read through their index, so
   * the cost is one probe per enabled webhook and a row per delivery claimed, whatever the backlog.
   * SKIP LOCKED and the lease keep two senders from sending one delivery at once.
   */
  private static final String CLAIM =
      """
      WITH turn AS MATERIALIZED (
        SELECT id FROM webhooks
         WHERE disabled_at IS NULL AND id <> ALL($5::bigint[])
         ORDER BY id <= $4, id
      ), due AS (
        SELECT h.id
          FROM turn t
               CROSS JOIN LATERAL (
                 SELECT d.id FROM webhook_deliveries d
                  WHERE d.webhook_id = t.id AND d.state = 'pending' AND d.head
                    AND d.next_attempt_at <= $1
                    AND (d.lease_until IS NULL OR d.lease_until <= $1)
                  ORDER BY d.next_attempt_at
                  LIMIT $6
                    FOR UPDATE SKIP LOCKED) h
         LIMIT $2
      )
      UPDATE webhook_deliveries d
         SET lease_until = $3, attempts = d.attempts + 1
        FROM due, webhooks w
       WHERE d.id = due.id AND w.id = d.webhook_id
      RETURNING d.id, d.webhook_id, d.body, d.attempts, d.event_at, w.url, w.secret
      """;

  /** A delivery taken; its webhook's row is locked (for the next head) and no longer failing. */
  private static final String DELIVERED =
      """
      WITH d AS (
        UPDATE webhook_deliveries
           SET state = 'delivered', last_status = $2, last_error = NULL, lease_until = NULL,
               finished_at = $3, head = false
         WHERE id = $1 AND state = 'pending'
        RETURNING webhook_id, subject
      )
      UPDATE webhooks w SET failing_since = NULL FROM d WHERE w.id = d.webhook_id
      RETURNING w.id, d.subject
      """;

  /**
   * Makes the first pending delivery of webhook $1 and subject $2 its head. Run after the webhook's
   * row is locked, in a statement of its own: it then sees every delivery recorded before.
   */
  private static final String NEXT_HEAD =
      """
      UPDATE webhook_deliveries SET head = true
       WHERE id = (SELECT id FROM webhook_deliveries
                    WHERE webhook_id = $1 AND subject = $2 AND state = 'pending'
                    ORDER BY event_xid, event_id LIMIT 1)
      """;

  /**
   * A failed attempt: tried again at $5; its webhook failing since before $6 (the retry window ago)
   * is disabled, saying why.
   */
  private static final String FAILED =
      """
      WITH d AS (
        UPDATE webhook_deliveries
           SET last_status = $2, last_error = $3, lease_until = NULL, next_attempt_at = $5
         WHERE id = $1 AND state = 'pending'
        RETURNING webhook_id
      )
      UPDATE webhooks w
         SET failing_since = COALESCE(w.failing_since, $4),
             disabled_at = CASE WHEN COALESCE(w.failing_since, $4) <= $6 THEN $4 END,
             disabled_reason = CASE WHEN COALESCE(w.failing_since, $4) <= $6
                 THEN 'failing since ' || to_char(COALESCE(w.failing_since, $4) AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                      || ', longer than the retry window; the last error: ' || $3 END
        FROM d
       WHERE w.id = d.webhook_id AND w.disabled_at IS NULL
      RETURNING w.id, w.disabled_at IS NOT NULL AS disabled
      """;

  /** A disabled webhook's pending deliveries are given up. */
  private static final String ABANDON =
      """
      UPDATE webhook_deliveries
         SET state = 'abandoned', lease_until = NULL, finished_at = $2, head = false
       WHERE webhook_id = $1 AND state = 'pending'
      """;

  private static final String PRUNE =
      """
      DELETE FROM webhook_deliveries
       WHERE id IN (SELECT id FROM webhook_deliveries
                     WHERE state <> 'pending' AND finished_at < $1 LIMIT $2)
      """;

  /** One claimed delivery, with what sending it needs. */
  public record Claimed(
      long id,
      long webhookId,
      String body,
      int attempts,
      Instant eventAt,
      String url,
      String secret) {}

  private final Pool pool;

  /** The store over the shared pool. */
  public WebhookStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Creates a webhook of the account; 409 when it has {@code max} already.
   *
   * @param query checked for events by the caller; kept as written
   */
  public Future<Webhook> create(
      long accountId, String url, String query, String secret, Instant now, int max) {
    return pool.preparedQuery(CREATE)
        .execute(Tuple.of(accountId, url, query, secret, at(now), max))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw OutpostException.conflict(
                    "the account has " + max + " webhooks, the most it may; delete one first");
              }
              return webhook(rows.iterator().next());
            });
  }

  /** The account's webhooks, by id. */
  public Future<List<Webhook>> list(long accountId) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM webhooks WHERE account_id = $1 ORDER BY id")
        .execute(Tuple.of(accountId))
        .map(
            rows -> {
              List<Webhook> all = new ArrayList<>();
              rows.forEach(row -> all.add(webhook(row)));
              return all;
            });
  }

  /** One webhook of the account; 404 when it has none such. */
  public Future<Webhook> find(long accountId, long id) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM webhooks WHERE account_id = $1 AND id = $2")
        .execute(Tuple.of(accountId, id))
        .map(rows -> one(rows.iterator().hasNext() ? rows.iterator().next() : null, id));
  }

  /**
   * Changes a webhook of the account: what is present, and enables it again when asked.
   *
   * @param enable whether a disabled webhook starts again (from now on)
   */
  public Future<Webhook> update(
      long accountId,
      long id,
      Optional<String> url,
      Optional<String> query,
      Optional<String> secret,
      boolean enable) {
    return pool.preparedQuery(UPDATE)
        .execute(
            Tuple.of(
                accountId, id, url.orElse(null), query.orElse(null), secret.orElse(null), enable))
        .map(rows -> one(rows.iterator().hasNext() ? rows.iterator().next() : null, id));
  }

  /** Deletes a webhook of the account and its deliveries; 404 when it has none such. */
  public Future<Void> delete(long accountId, long id) {
    return pool.preparedQuery("DELETE FROM webhooks WHERE account_id = $1 AND id = $2")
        .execute(Tuple.of(accountId, id))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw OutpostException.notFound("webhook " + id + " not found");
              }
              return null;
            });
  }

  /** A page of a webhook's deliveries, newest first, below {@code before} when given. */
  public Future<List<WebhookDelivery>> deliveries(
      long accountId, long id, int limit, Optional<Long> before) {
    return find(accountId, id)
        .compose(
            found ->
                pool.preparedQuery(
                        """
                        SELECT id, event_xid, event_id, body::json->>'event' AS event, state,
                               attempts, last_status, last_error, created_at, next_attempt_at,
                               finished_at
                          FROM webhook_deliveries
                         WHERE webhook_id = $1 AND ($2::bigint IS NULL OR id < $2)
                         ORDER BY id DESC LIMIT $3
                        """)
                    .execute(Tuple.of(id, before.orElse(null), limit)))
        .map(
            rows -> {
              List<WebhookDelivery> page = new ArrayList<>();
              rows.forEach(row -> page.add(delivery(row)));
              return page;
            });
  }

  /** The ids of webhooks that record deliveries. */
  public Future<List<Long>> enabled() {
    return pool.query("SELECT id FROM webhooks WHERE disabled_at IS NULL ORDER BY id")
        .execute()
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  /**
   * Records the deliveries of the events after the webhook's cursor that its query selects, up to
   * {@code limit} events read, and moves the cursor past them, in one transaction; a webhook
   * another instance is recording for is passed by.
   *
   * @return whether more events may wait after those read
   */
  public Future<Boolean> record(long webhookId, Instant now, int limit) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(LOCK_CURSOR)
                .execute(Tuple.of(webhookId))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        return Future.succeededFuture(false);
                      }
                      Row hook = rows.iterator().next();
                      ActivityQuery query = ActivityQuery.parse(hook.getString("query"));
                      Position cursor =
                          new Position(hook.getLong("cursor_xid"), hook.getLong("cursor_id"));
                      return EventLog.read(conn, cursor, hook.getLong("account_id"), query, limit)
                          .compose(batch -> record(conn, webhookId, batch, now));
                    }));
  }

  private static Future<Boolean> record(
      SqlClient conn, long webhookId, EventLog.Batch batch, Instant now) {
    List<EventLog.Event> events = batch.matched();
    Tuple deliveries =
        Tuple.tuple()
            .addLong(webhookId)
            .addArrayOfLong(events.stream().map(e -> e.position().xid()).toArray(Long[]::new))
            .addArrayOfLong(events.stream().map(e -> e.position().id()).toArray(Long[]::new))
            .addArrayOfString(events.stream().map(EventLog.Event::subject).toArray(String[]::new))
            .addArrayOfString(events.stream().map(e -> e.body().encode()).toArray(String[]::new))
            .addArrayOfOffsetDateTime(
                events.stream()
                    .map(e -> at(Instant.parse(e.body().getString("at"))))
                    .toArray(OffsetDateTime[]::new))
            .addOffsetDateTime(at(now));
    Future<?> recorded =
        events.isEmpty()
            ? Future.succeededFuture()
            : conn.preparedQuery(RECORD).execute(deliveries);
    return recorded
        .compose(
            r ->
                conn.preparedQuery(
                        "UPDATE webhooks SET cursor_xid = $2, cursor_id = $3 WHERE id = $1")
                    .execute(Tuple.of(webhookId, batch.last().xid(), batch.last().id())))
        .map(moved -> batch.more());
  }

  /**
   * Claims up to {@code max} due deliveries for a sender, until {@code leaseUntil}: at most {@code
   * perWebhook} of each webhook, the webhooks taken in turn from the one after {@code after},
   * passing by those of {@code passed} (which have enough under way).
   */
  public Future<List<Claimed>> claim(
      Instant now,
      int max,
      Instant leaseUntil,
      long after,
      Collection<Long> passed,
      int perWebhook) {
    return pool.preparedQuery(CLAIM)
        .execute(
            Tuple.of(at(now), max, at(leaseUntil), after, passed.toArray(Long[]::new), perWebhook))
        .map(
            rows -> {
              List<Claimed> claimed = new ArrayList<>();
              rows.forEach(
                  row ->
                      claimed.add(
                          new Claimed(
                              row.getLong("id"),
                              row.getLong("webhook_id"),
                              row.getString("body"),
                              row.getInteger("attempts"),
                              row.getOffsetDateTime("event_at").toInstant(),
                              row.getString("url"),
                              row.getString("secret"))));
              return claimed;
            });
  }

  /** A delivery the receiver took: its webhook no longer fails, and its subject's next is head. */
  public Future<Void> delivered(long id, int status, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(DELIVERED)
                .execute(Tuple.of(id, status, at(now)))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        return Future.succeededFuture();
                      }
                      Row row = rows.iterator().next();
                      return conn.preparedQuery(NEXT_HEAD)
                          .execute(Tuple.of(row.getLong("id"), row.getString("subject")))
                          .mapEmpty();
                    }));
  }

  /**
   * A delivery that failed, tried again at {@code retryAt}; its webhook, failing since before
   * {@code windowStart}, is disabled and its pending deliveries given up.
   *
   * @return how many pending deliveries were given up: none unless the webhook was disabled
   */
  public Future<Integer> failed(
      long id,
      Optional<Integer> status,
      String error,
      Instant now,
      Instant retryAt,
      Instant windowStart) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(FAILED)
                .execute(
                    Tuple.of(id, status.orElse(null), error, at(now), at(retryAt), at(windowStart)))
                .compose(
                    rows -> {
                      Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
                      if (row == null || !row.getBoolean("disabled")) {
                        return Future.succeededFuture(0);
                      }
                      return conn.preparedQuery(ABANDON)
                          .execute(Tuple.of(row.getLong("id"), at(now)))
                          .map(abandoned -> abandoned.rowCount());
                    }));
  }

  /** Deletes up to {@code max} deliveries finished before {@code cutoff}. */
  public Future<Integer> prune(Instant cutoff, int max) {
    return pool.preparedQuery(PRUNE).execute(Tuple.of(at(cutoff), max)).map(r -> r.rowCount());
  }

  private static Webhook one(Row row, long id) {
    if (row == null) {
      throw OutpostException.notFound("webhook " + id + " not found");
    }
    return webhook(row);
  }

  private static Webhook webhook(Row row) {
    return new Webhook(
        row.getLong("id"),
        row.getString("url"),
        row.getString("query"),
        row.getOffsetDateTime("created_at").toInstant(),
        instant(row, "failing_since"),
        instant(row, "disabled_at"),
        Optional.ofNullable(row.getString("disabled_reason")));
  }

  private static WebhookDelivery delivery(Row row) {
    return new WebhookDelivery(
        row.getLong("id"),
        new Position(row.getLong("event_xid"), row.getLong("event_id")),
        row.getString("event"),
        row.getString("state"),
        row.getInteger("attempts"),
        Optional.ofNullable(row.getInteger("last_status")),
        Optional.ofNullable(row.getString("last_error")),
        row.getOffsetDateTime("created_at").toInstant(),
        row.getString("state").equals("pending")
            ? instant(row, "next_attempt_at")
            : Optional.empty(),
        instant(row, "finished_at"));
  }

  private static Optional<Instant> instant(Row row, String column) {
    return Optional.ofNullable(row.getOffsetDateTime(column)).map(OffsetDateTime::toInstant);
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
