package dev.outpost.server.events;

import dev.outpost.server.activity.ActivityQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the event log (migration V35): activity transitions and computer registrations and
 * removals, in the order of their {@link Position}s, only up to the oldest transaction still
 * running, so that no event can ever appear before one already read.
 */
public final class EventLog {

  /** The channel every statement that logs events notifies (migration V35). */
  public static final String CHANNEL = "outpost_events";

  /** What one read found. */
  public record Batch(List<Event> matched, Position last, boolean more, boolean heldBack) {}

  /**
   * One event as streams and webhooks send it.
   *
   * @param subject what its order is kept per: {@code activity:<id>} or {@code computer:<id>}
   * @param name {@code transition}, {@code computer-registered} or {@code computer-removed}
   * @param body the event as JSON, its position included
   */
  public record Event(Position position, String subject, String name, JsonObject body) {}

  /**
   * $1, $2: the position read after; $3: how many events to scan at most; $4: the account whose
   * events the condition (after it, from $5, on the columns of {@code e}) may select. Every scanned
   * event comes back, selected or not, so that the reader moves past the rest; {@code held_back}
   * says whether events after the position have committed behind a transaction still running, which
   * a later read will take. Each table is read in its (xid, id) index's order up to the limit
   * before anything is joined, so a read costs its batch, however long the log behind it.
   */
  private static final String READ =
      """
      WITH horizon AS (
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin
      ), logged AS (
        SELECT * FROM (
          (SELECT xid, id, activity_id, from_status, to_status, at, actor, reason,
                  NULL::bigint AS logged_account, NULL::bigint AS logged_computer,
                  'transition' AS event
             FROM activity_events
            WHERE (xid, id) > ($1, $2) AND xid < (SELECT xmin FROM horizon)
            ORDER BY xid, id LIMIT $3)
          UNION ALL
          (SELECT xid, id, NULL, NULL, NULL, at, NULL, NULL, account_id, computer_id, kind
             FROM computer_events
            WHERE (xid, id) > ($1, $2) AND xid < (SELECT xmin FROM horizon)
            ORDER BY xid, id LIMIT $3)
        ) both_tables
        ORDER BY xid, id LIMIT $3
      ), scanned AS (
        SELECT l.xid, l.id, l.event, l.activity_id, a.type, a.kind, l.from_status, l.to_status,
               l.at, l.actor, l.reason, a.parent_id, a.creator,
               COALESCE(a.account_id, l.logged_account) AS account_id,
               COALESCE(a.computer_id, l.logged_computer) AS computer_id
          FROM logged l LEFT JOIN activities a ON a.id = l.activity_id
      ), held AS (
        -- the first of each table in index order: an index probe, where EXISTS would scan
        SELECT (SELECT id FROM activity_events
                 WHERE (xid, id) > ($1, $2) AND xid >= (SELECT xmin FROM horizon)
                 ORDER BY xid, id LIMIT 1) IS NOT NULL
            OR (SELECT id FROM computer_events
                 WHERE (xid, id) > ($1, $2) AND xid >= (SELECT xmin FROM horizon)
                 ORDER BY xid, id LIMIT 1) IS NOT NULL AS held_back
      )
      SELECT held.held_back, e.*, COALESCE(e.account_id = $4 AND (%s), FALSE) AS selected
        FROM held LEFT JOIN scanned e ON TRUE
       ORDER BY e.xid, e.id
      """;

  private EventLog() {}

  /** The position before every event that has not surely committed yet: where "now" starts. */
  public static Future<Position> head(SqlClient client) {
    return client
        .query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        .execute()
        .map(rows -> new Position(rows.iterator().next().getLong(0), 0));
  }

  /**
   * Reads up to {@code limit} events after {@code after}, answering those of the account the query
   * selects (checked by {@link #checked}) and the position of the last one read.
   */
  public static Future<Batch> read(
      SqlClient client, Position after, long accountId, ActivityQuery query, int limit) {
    List<Object> params = new ArrayList<>(List.of(after.xid(), after.id(), limit, accountId));
    String sql = READ.formatted(new EventQuerySql(params).condition(query));
    return client
        .preparedQuery(sql)
        .execute(Tuple.from(params))
        .map(
            rows -> {
              List<Event> matched = new ArrayList<>();
              Position last = after;
              boolean heldBack = false;
              int scanned = 0;
              for (Row row : rows) {
                heldBack = row.getBoolean("held_back");
                if (row.getLong("id") == null) {
                  continue; // no event scanned: only the held_back row
                }
                scanned++;
                last = new Position(row.getLong("xid"), row.getLong("id"));
                if (row.getBoolean("selected")) {
                  matched.add(event(last, row));
                }
              }
              return new Batch(matched, last, scanned == limit, heldBack);
            });
  }

  /** Refuses, with a 400 naming it, a query whose terms make no sense on events. */
  public static ActivityQuery checked(ActivityQuery query) {
    return EventQuerySql.checked(query);
  }

  private static Event event(Position position, Row row) {
    String name = row.getString("event");
    JsonObject body = new JsonObject().put("position", position.toString()).put("event", name);
    String at = row.getOffsetDateTime("at").toInstant().toString();
    if (!name.equals("transition")) {
      long computer = row.getLong("computer_id");
      return new Event(
          position, "computer:" + computer, name, body.put("computer_id", computer).put("at", at));
    }
    long activity = row.getLong("activity_id");
    body.put("id", activity)
        .put("type", row.getString("type"))
        .put("kind", row.getString("kind"))
        .put("from", row.getString("from_status"))
        .put("to", row.getString("to_status"))
        .put("at", at)
        .put("actor", row.getString("actor"))
        .put("reason", row.getString("reason"))
        .put("computer_id", row.getLong("computer_id"))
        .put("parent_id", row.getLong("parent_id"));
    return new Event(position, "activity:" + activity, name, body);
  }
}
