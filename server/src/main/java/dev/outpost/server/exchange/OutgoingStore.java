package dev.outpost.server.exchange;

import dev.outpost.server.activity.DueRule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The computers' outgoing stores ({@code outgoing_messages}): messages written for a computer,
 * oldest first, sent at each exchange until its client acknowledges them. Every statement serves
 * many computers at once.
 */
final class OutgoingStore {

  /**
   * The computers of $1 that something waits for at $2: a message in the outgoing store, or an
   * activity they may be given now.
   */
  private static final String WAITING =
      "WITH "
          + DueRule.ctes("$1::bigint[]", "$2", "1", false)
          + " SELECT computer_id FROM due UNION SELECT c FROM unnest($1::bigint[]) AS c"
          + " WHERE EXISTS (SELECT 1 FROM outgoing_messages o WHERE o.computer_id = c)";

  private OutgoingStore() {}

  /** Appends messages to computers' outgoing stores, each computer's in the order given. */
  static Future<Void> enqueue(SqlClient conn, List<Tagged<byte[]>> messages, Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            """
            INSERT INTO outgoing_messages (computer_id, message, created_at)
            SELECT c, m, $3 FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS u(c, m, n)
             ORDER BY n
            """)
        .execute(
            Tuple.of(
                messages.stream().map(Tagged::computerId).toArray(Long[]::new),
                messages.stream().map(m -> Buffer.buffer(m.value())).toArray(Buffer[]::new),
                at(now)))
        .mapEmpty();
  }

  /** Each computer's outgoing store, oldest first, at most {@code max} messages each. */
  static Future<Map<Long, List<byte[]>>> pending(SqlClient conn, List<Long> computerIds, int max) {
    return conn.preparedQuery(
            """
            SELECT c.computer_id, m.message
              FROM unnest($1::bigint[]) AS c(computer_id)
             CROSS JOIN LATERAL (SELECT id, message FROM outgoing_messages o
                                  WHERE o.computer_id = c.computer_id
                                  ORDER BY id LIMIT $2) m
             ORDER BY c.computer_id, m.id
            """)
        .execute(Tuple.of(computerIds.toArray(Long[]::new), max))
        .map(
            rows -> {
              Map<Long, List<byte[]>> messages = new HashMap<>();
              computerIds.forEach(id -> messages.put(id, new ArrayList<>()));
              rows.forEach(row -> messages.get(row.getLong(0)).add(row.getBuffer(1).getBytes()));
              return messages;
            });
  }

  /**
   * Deletes the oldest messages of computers' outgoing stores: as many of each as its client says
   * it has. The DELETE is given the rows' physical addresses and fetches just those (a TID scan)
   * rather than looking each up again (a join with the subquery may be planned as a scan of the
   * whole store).
   */
  static Future<Void> acknowledge(SqlClient conn, List<Tagged<Long>> counts) {
    List<Tagged<Long>> some = counts.stream().filter(c -> c.value() > 0).toList();
    if (some.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            """
            DELETE FROM outgoing_messages WHERE ctid = ANY(ARRAY(
              SELECT m.ctid FROM unnest($1::bigint[], $2::bigint[]) AS a(computer_id, n)
               CROSS JOIN LATERAL (SELECT ctid FROM outgoing_messages o
                                    WHERE o.computer_id = a.computer_id
                                    ORDER BY id LIMIT a.n) m))
            """)
        .execute(
            Tuple.tuple()
                .addArrayOfLong(some.stream().map(Tagged::computerId).toArray(Long[]::new))
                .addArrayOfLong(some.stream().map(Tagged::value).toArray(Long[]::new)))
        .mapEmpty();
  }

  /** Those of the computers that something waits for now, for {@code /ping}. */
  static Future<Set<Long>> waiting(SqlClient conn, List<Long> computerIds, Instant now) {
    return conn.preparedQuery(WAITING)
        .execute(Tuple.tuple().addArrayOfLong(computerIds.toArray(Long[]::new)).addValue(at(now)))
        .map(
            rows -> {
              Set<Long> waiting = new HashSet<>();
              rows.forEach(row -> waiting.add(row.getLong(0)));
              return waiting;
            });
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
