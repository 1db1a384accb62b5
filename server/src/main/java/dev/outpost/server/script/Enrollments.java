package dev.outpost.server.script;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Computers enrolled and not yet given their post-enrollment profiles ({@code enrollments}): a row
 * written in the registration's transaction, so a crash loses none, and turned into activities by
 * the scheduler's sweep, which deletes it in the transaction that creates them.
 */
public final class Enrollments {

  /** One computer enrolled. */
  public record Enrolled(long computerId, long accountId, Instant registeredAt) {}

  private Enrollments() {}

  /**
   * Records a computer's enrollment, in the registration's transaction, when its account has a
   * post-enrollment profile (an account without one writes nothing).
   */
  public static Future<Void> record(
      SqlClient conn, long accountId, long computerId, Instant registeredAt) {
    return conn.preparedQuery(
            """
            INSERT INTO enrollments (computer_id, account_id, registered_at)
            SELECT $1, $2, $3
             WHERE EXISTS (SELECT 1 FROM script_profiles
                            WHERE account_id = $2 AND trigger_type = 'event'
                              AND archived_at IS NULL)
            """)
        .execute(Tuple.of(computerId, accountId, registeredAt.atOffset(ZoneOffset.UTC)))
        .mapEmpty();
  }

  /** Deletes the enrollments of these computers (locked by the caller) and returns them. */
  public static Future<List<Enrolled>> take(SqlClient conn, List<Long> computerIds) {
    return conn.preparedQuery(
            """
            DELETE FROM enrollments WHERE computer_id = ANY($1)
            RETURNING computer_id, account_id, registered_at
            """)
        .execute(Tuple.of(computerIds.toArray(Long[]::new)))
        .map(
            rows -> {
              List<Enrolled> taken = new ArrayList<>(rows.size());
              rows.forEach(
                  row ->
                      taken.add(
                          new Enrolled(
                              row.getLong(0),
                              row.getLong(1),
                              row.getOffsetDateTime(2).toInstant())));
              return taken;
            });
  }
}
