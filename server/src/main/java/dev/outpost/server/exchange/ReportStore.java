package dev.outpost.server.exchange;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The computers' reports of themselves ({@link ClientReports}): the latest of each type per
 * computer ({@code computer_reports}; a computer-info merged into the last, since the client sends
 * only what changed), and the users and groups the {@code users} changes leave ({@code
 * computer_users}, {@code computer_groups}). An exchange that brings none costs no statement; one
 * that does costs one statement for all the batch's reports and one for all its users messages.
 */
final class ReportStore {

  /** Users, and groups, each computer keeps at most (and members of a group). */
  static final int MAX_USERS = ClientReports.MAX_ITEMS;

  private ReportStore() {}

  /** Keeps the reports among the recorded messages; the others are left to the caller. */
  static Future<Void> write(
      SqlClient conn, List<Tagged<ClientMessageStore.Recorded>> recorded, Instant now) {
    Map<List<Object>, Tagged<JsonObject>> latest = new LinkedHashMap<>();
    List<Long> userComputers = new ArrayList<>();
    List<JsonObject> userMessages = new ArrayList<>();
    for (Tagged<ClientMessageStore.Recorded> message : recorded) {
      String type = message.value().type();
      if (!ClientReports.isReport(type)) {
        continue;
      }
      JsonObject body = message.value().body();
      if (type.equals(ClientReports.USERS)) {
        userComputers.add(message.computerId());
        userMessages.add(body);
        body = new JsonObject();
      }
      JsonObject kept = body;
      // one row per computer and type in the statement: a computer-info merged into one sent
      // before it in the same batch, any other report replacing it
      latest.merge(
          List.of(message.computerId(), type),
          new Tagged<>(message.computerId(), kept),
          (before, after) ->
              type.equals("computer-info")
                  ? new Tagged<>(after.computerId(), before.value().copy().mergeIn(after.value()))
                  : after);
    }
    if (latest.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Void> reports =
        conn.preparedQuery(
                """
            INSERT INTO computer_reports (computer_id, type, body, received_at)
            SELECT c, t, b, $4 FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS r(c, t, b)
            ON CONFLICT (computer_id, type) DO UPDATE
               SET body = CASE WHEN EXCLUDED.type = 'computer-info'
                               THEN computer_reports.body || EXCLUDED.body
                               ELSE EXCLUDED.body END,
                   received_at = EXCLUDED.received_at
            """)
            .execute(
                Tuple.of(
                    latest.values().stream().map(Tagged::computerId).toArray(Long[]::new),
                    latest.keySet().stream().map(k -> (String) k.get(1)).toArray(String[]::new),
                    latest.values().stream().map(Tagged::value).toArray(JsonObject[]::new),
                    now.atOffset(ZoneOffset.UTC)))
            .mapEmpty();
    if (userComputers.isEmpty()) {
      return reports;
    }
    Future<Void> users =
        conn.preparedQuery("SELECT outpost_apply_users($1::bigint[], $2::jsonb[], $3)")
            .execute(
                Tuple.of(
                    userComputers.toArray(Long[]::new),
                    userMessages.toArray(JsonObject[]::new),
                    MAX_USERS))
            .mapEmpty();
    return Future.all(reports, users).mapEmpty();
  }
}
