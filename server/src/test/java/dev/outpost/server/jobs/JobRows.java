package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;

import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Server activities of an account of their own, written and read as rows, for job tests. */
final class JobRows {

  private final Pool pool;
  private final Clock clock;
  final long account;

  JobRows(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.account =
        await(
            new AccountStore(pool, clock)
                .ensureAccount(
                    TestSupport.unique("jobs"), "key", "admin", TestSupport.unique("token")));
  }

  /** An ArchiveRequest in the given state, inserted as it stands (no outbox row, no events). */
  long activity(String status, int attempt) {
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                    created_at, attempt)
            VALUES ($1, 'server', 'ArchiveRequest', $2, 'Archive', '{}', 'tester', $3, $4)
            RETURNING id
            """)
                .execute(
                    Tuple.of(account, status, clock.instant().atOffset(ZoneOffset.UTC), attempt)))
        .iterator()
        .next()
        .getLong(0);
  }

  /** Status and lease owner, as {@code "in-progress job-handler:me"}. */
  String state(long id) {
    Row row = row("SELECT status, lease_owner FROM activities WHERE id = $1", id);
    return row.getString(0) + " " + row.getString(1);
  }

  /** Status and result text. */
  String result(long id) {
    Row row = row("SELECT status, result_text FROM activities WHERE id = $1", id);
    return row.getString(0) + " " + row.getString(1);
  }

  Instant leaseUntil(long id) {
    return row("SELECT lease_until FROM activities WHERE id = $1", id)
        .getOffsetDateTime(0)
        .toInstant();
  }

  /** Rows of the outbox naming the activity: each publishes it to the job queue once. */
  long published(long id) {
    return row("SELECT count(*) FROM outbox WHERE activity_id = $1", id).getLong(0);
  }

  private Row row(String sql, long id) {
    return await(pool.preparedQuery(sql).execute(Tuple.of(id))).iterator().next();
  }
}
