package dev.outpost.server.exchange;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.server.account.ClientIntervals;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code set-intervals} messages due at an exchange: one for each computer whose account
 * changed its client intervals since the computer was last sent them (or that never was), marked
 * sent in the same statement, inside the exchange's transaction.
 */
final class IntervalNotices {

  /** The message type; only computers whose client accepts it are sent it. */
  static final String SET_INTERVALS = "set-intervals";

  private IntervalNotices() {}

  /** Takes the computers' due {@code set-intervals} messages, encoded, tagged by computer. */
  static Future<List<Tagged<byte[]>>> take(SqlClient conn, List<Long> computerIds) {
    if (computerIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(
            """
            UPDATE computers c SET intervals_sent = a.intervals_version
              FROM accounts a
             WHERE c.id = ANY($1) AND a.id = c.account_id
               AND c.intervals_sent < a.intervals_version
            RETURNING c.id, a.exchange_interval, a.urgent_exchange_interval, a.ping_interval
            """)
        .execute(Tuple.tuple().addArrayOfLong(computerIds.toArray(Long[]::new)))
        .map(
            rows -> {
              List<Tagged<byte[]>> messages = new ArrayList<>(rows.size());
              rows.forEach(
                  row -> {
                    ClientIntervals intervals =
                        new ClientIntervals(
                            Optional.ofNullable(row.getInteger(1)),
                            Optional.ofNullable(row.getInteger(2)),
                            Optional.ofNullable(row.getInteger(3)));
                    if (intervals.any()) {
                      messages.add(
                          new Tagged<>(row.getLong(0), Bpickle.encode(intervals.message())));
                    }
                  });
              return messages;
            });
  }
}
