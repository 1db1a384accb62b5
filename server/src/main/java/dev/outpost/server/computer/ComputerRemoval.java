package dev.outpost.server.computer;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.StatusSql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a computer, in one transaction: cancels its unfinished client activities (through the
 * activity store), drops its undelivered messages and forgets its identity, so its agent gets
 * {@code unknown-id} and may register again as a new computer. Its history stays.
 */
public final class ComputerRemoval {

  private final Pool pool;
  private final ActivityStore activities;

  /** Creates the removal over the shared pool and the activity store, which does the cancelling. */
  public ComputerRemoval(Pool pool, ActivityStore activities) {
    this.pool = pool;
    this.activities = activities;
  }

  /**
   * Removes the account's computer at {@code now}, the cancels logged as {@code actor}'s.
   *
   * @return how many unfinished activities were canceled
   */
  public Future<Long> remove(long accountId, long computerId, String actor, Instant now) {
    return pool.withTransaction(
        conn ->
            pendingActivities(conn, computerId)
                .compose(
                    ids ->
                        activities
                            .transition(
                                conn, accountId, ids, Status.CANCELED, actor, "computer removed")
                            .compose(
                                canceled ->
                                    forget(conn, computerId, now)
                                        .map(canceled.stream().filter(o -> o.applied()).count()))));
  }

  private static Future<List<Long>> pendingActivities(SqlConnection conn, long computerId) {
    return conn.preparedQuery(
            StatusSql.of(
                """
            SELECT id FROM activities
             WHERE computer_id = $1 AND kind = 'client'
               AND status NOT IN ({failed}, {canceled}, {succeeded})
            """))
        .execute(Tuple.of(computerId))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  private static Future<Void> forget(SqlConnection conn, long computerId, Instant now) {
    return conn.preparedQuery("DELETE FROM outgoing_messages WHERE computer_id = $1")
        .execute(Tuple.of(computerId))
        // what its client reported of it goes with it
        .compose(
            dropped ->
                conn.preparedQuery(
                        """
                WITH r AS (DELETE FROM computer_reports WHERE computer_id = $1),
                     u AS (DELETE FROM computer_users WHERE computer_id = $1),
                     p AS (DELETE FROM computer_packages WHERE computer_id = $1)
                DELETE FROM computer_groups WHERE computer_id = $1
                """)
                    .execute(Tuple.of(computerId)))
        .compose(
            dropped ->
                conn.preparedQuery(
                        """
                UPDATE computers SET removed_at = $2, secure_id_hash = NULL,
                                     exchange_token_hash = NULL
                 WHERE id = $1
                """)
                    .execute(Tuple.of(computerId, now.atOffset(ZoneOffset.UTC))))
        .mapEmpty();
  }
}
