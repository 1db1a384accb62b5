package dev.outpost.server.exchange;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * What clients send that is kept rather than acted on: reports ({@code client_messages}) and
 * messages set aside with the reason ({@code quarantined_messages}). Each computer keeps only its
 * newest few of each; every statement serves many computers at once.
 */
final class ClientMessageStore {

  /** The newest recorded messages of one type each computer keeps. */
  static final int KEPT_PER_TYPE = 10;

  /** The newest quarantined messages each computer keeps. */
  static final int QUARANTINE_KEPT = 100;

  private ClientMessageStore() {}

  /** A client message kept rather than acted on. */
  record Recorded(String type, JsonObject body) {}

  /**
   * Keeps client messages that are recorded rather than acted on, then trims each computer's
   * messages of each type it sent to the newest {@link #KEPT_PER_TYPE} (what a client reports again
   * and again, a computer-info say, need not pile up).
   */
  static Future<Void> record(SqlClient conn, List<Tagged<Recorded>> all, Instant now) {
    // the computers' reports of themselves are kept apart (ReportStore)
    List<Tagged<Recorded>> messages =
        all.stream().filter(m -> !ClientReports.isReport(m.value().type())).toList();
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] computers = messages.stream().map(Tagged::computerId).toArray(Long[]::new);
    String[] types = messages.stream().map(m -> m.value().type()).toArray(String[]::new);
    Future<Void> inserted =
        conn.preparedQuery(
                """
            INSERT INTO client_messages (computer_id, type, body, received_at)
            SELECT c, t, b, $4 FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS m(c, t, b)
            """)
            .execute(
                Tuple.of(
                    computers,
                    types,
                    messages.stream().map(m -> m.value().body()).toArray(JsonObject[]::new),
                    at(now)))
            .mapEmpty();
    Future<Void> trimmed =
        conn.preparedQuery(
                """
            DELETE FROM client_messages m
             USING (SELECT DISTINCT c, t FROM unnest($1::bigint[], $2::text[]) AS k(c, t)) k
             WHERE m.computer_id = k.c AND m.type = k.t
               AND m.id < (SELECT id FROM client_messages o
                            WHERE o.computer_id = k.c AND o.type = k.t
                            ORDER BY id DESC OFFSET $3 - 1 LIMIT 1)
            """)
            .execute(Tuple.of(computers, types, KEPT_PER_TYPE))
            .mapEmpty();
    return Future.all(inserted, trimmed).mapEmpty();
  }

  /**
   * Sets client messages aside with the reasons they were not acted on, then trims each computer's
   * to the newest {@link #QUARANTINE_KEPT}.
   */
  static Future<Void> quarantine(SqlClient conn, List<Tagged<Quarantined>> messages, Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] computers = messages.stream().map(Tagged::computerId).toArray(Long[]::new);
    Future<Void> inserted =
        conn.preparedQuery(
                """
            INSERT INTO quarantined_messages (computer_id, received_at, type, reason, message,
                                              size)
            SELECT c, $6, t, r, m, s
              FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[])
                   AS q(c, t, r, m, s)
            """)
            .execute(
                Tuple.of(
                    computers,
                    messages.stream().map(m -> m.value().type()).toArray(String[]::new),
                    messages.stream().map(m -> m.value().reason()).toArray(String[]::new),
                    messages.stream().map(m -> m.value().message()).toArray(String[]::new),
                    messages.stream().map(m -> m.value().size()).toArray(Integer[]::new),
                    at(now)))
            .mapEmpty();
    Future<Void> trimmed =
        conn.preparedQuery(
                """
            DELETE FROM quarantined_messages q
             USING (SELECT DISTINCT c FROM unnest($1::bigint[]) AS k(c)) k
             WHERE q.computer_id = k.c
               AND q.id < (SELECT id FROM quarantined_messages o WHERE o.computer_id = k.c
                            ORDER BY id DESC OFFSET $2 - 1 LIMIT 1)
            """)
            .execute(Tuple.of(computers, QUARANTINE_KEPT))
            .mapEmpty();
    return Future.all(inserted, trimmed).mapEmpty();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
