package dev.outpost.server.jobs.handlers;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * RemoveComputerActivity: cancels the computer's unfinished client activities, forgets its
 * identity (its agent gets {@code unknown-id} and may register again as a new computer) and
 * drops its undelivered messages. Its history stays.
 */
public final class RemoveComputerHandler implements JobHandler {

  private final ActivityStore activities;

  /** Creates the handler over the activity store, which does the cancelling. */
  public RemoveComputerHandler(ActivityStore activities) {
    this.activities = activities;
  }

  @Override
  public Future<String> run(JobContext context) {
    long computerId = context.job().computerId()
        .orElseThrow(() -> new IllegalArgumentException("RemoveComputerActivity names no computer"));
    return context.pool().withTransaction(conn -> pendingActivities(conn, computerId)
        .compose(ids -> activities.transition(conn, context.job().accountId(), ids,
                Status.CANCELED, "job-handler", "computer removed")
            .compose(canceled -> forget(conn, computerId, context)
                .map("computer " + computerId + " removed; " + canceled.stream()
                    .filter(o -> o.applied()).count() + " unfinished activities canceled"))));
  }

  private static Future<List<Long>> pendingActivities(SqlConnection conn, long computerId) {
    return conn.preparedQuery("""
            SELECT id FROM activities
             WHERE computer_id = $1 AND kind = 'client'
               AND status NOT IN ('failed', 'canceled', 'succeeded')
            """)
        .execute(Tuple.of(computerId))
        .map(rows -> {
          List<Long> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getLong(0)));
          return ids;
        });
  }

  private static Future<Void> forget(SqlConnection conn, long computerId, JobContext context) {
    return conn.preparedQuery("DELETE FROM outgoing_messages WHERE computer_id = $1")
        .execute(Tuple.of(computerId))
        .compose(dropped -> conn.preparedQuery("""
                UPDATE computers SET removed_at = $2, secure_id_hash = NULL,
                                     exchange_token_hash = NULL
                 WHERE id = $1
                """)
            .execute(Tuple.of(computerId, context.clock().instant().atOffset(ZoneOffset.UTC))))
        .mapEmpty();
  }
}
