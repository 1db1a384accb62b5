package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityMessages;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cancels an agent is still to be told of ({@code cancel_notices}): a client activity canceled
 * while In Progress, on a computer whose agent accepts {@code cancel-operation}, waits here until
 * an exchange of its computer takes it, in the transaction that writes the message, so that each is
 * sent once. The Landscape Client, which does not accept the type, never gets one.
 */
public final class CancelNotices {

  /**
   * The CTE {@link Transitions} adds to a move: the client activities it moved from In Progress to
   * Canceled on computers that accept the message get a notice. Its parameters: {@code $13} whether
   * the move goes to Canceled, {@code $14} In Progress, {@code $15} the message type.
   */
  static final String RECORD =
      """
      noticed AS (
        INSERT INTO cancel_notices (activity_id, computer_id, created_at)
        SELECT m.id, m.computer_id, $4 FROM moved m JOIN computers c ON c.id = m.computer_id
         WHERE $13 AND m.kind = 'client' AND m.from_status = $14 AND c.removed_at IS NULL
           AND $15 = ANY(c.client_types)
      )""";

  /** A cancel taken for its computer's outgoing store. */
  public record Notice(long computerId, long activityId) {}

  private CancelNotices() {}

  /** The message type the notice is sent as, a parameter of {@link #RECORD}. */
  static String messageType() {
    return ActivityMessages.CANCEL_OPERATION;
  }

  /**
   * Takes the computers' waiting notices, in the caller's transaction: they are gone once it
   * commits, with the messages written.
   *
   * @return the notices by computer, then activity
   */
  public static Future<List<Notice>> take(SqlClient conn, List<Long> computerIds) {
    if (computerIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(
            """
            DELETE FROM cancel_notices WHERE computer_id = ANY($1::bigint[])
            RETURNING computer_id, activity_id
            """)
        .execute(Tuple.of(computerIds.toArray(Long[]::new)))
        .map(
            rows -> {
              List<Notice> notices = new ArrayList<>(rows.size());
              rows.forEach(row -> notices.add(new Notice(row.getLong(0), row.getLong(1))));
              notices.sort(
                  Comparator.comparingLong(Notice::computerId)
                      .thenComparingLong(Notice::activityId));
              return notices;
            });
  }
}
