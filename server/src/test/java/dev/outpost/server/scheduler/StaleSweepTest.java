package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stale-result sweep of one account beside another account's many stale activities. */
@ExtendWith(VertxExtension.class)
class StaleSweepTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration DEADLINE = Duration.ofDays(1);
  private static final int KEPT = 20_000;

  private static Pool pool;
  private static Scheduler scheduler;
  private static long keeper;
  private static long failer;

  @BeforeAll
  static void setUp(Vertx vertx) {
    var clock = new TestSupport.SettableClock(NOW);
    pool = Database.pool(vertx, TestSupport.database(), 2);
    scheduler =
        new Scheduler(pool, new ActivityStore(pool, clock), clock, Duration.ofHours(1), DEADLINE);
    AccountStore accounts = new AccountStore(pool, clock);
    keeper =
        await(
            accounts.ensureAccount(
                TestSupport.unique("keeper"), "key", "admin", TestSupport.unique("token")));
    failer =
        await(
            accounts.ensureAccount(
                TestSupport.unique("failer"), "key", "admin", TestSupport.unique("token")));
    await(
        pool.preparedQuery("UPDATE accounts SET fail_stale_results = true WHERE id = $1")
            .execute(Tuple.of(failer)));
  }

  @AfterAll
  static void tearDown() {
    await(pool.close());
  }

  /**
   * Verifies that the sweep fails the stale activities of an account that fails them, and reads no
   * more for another account's stale activities that it keeps. GIVEN an account keeping 20,000
   * activities delivered a month ago with no result, and an account that fails stale results with
   * one such activity and one delivered now; WHEN the sweep runs, in the plan PostgreSQL keeps for
   * the prepared statement (its generic plan) on analyzed statistics; THEN it reads a handful of
   * buffers (indexed by delivery alone, it read every kept activity's index entry and row) and
   * fails only the failing account's stale activity.
   */
  @Test
  void failsOnlyItsAccountsStaleActivitiesAndReadsNoOthers() {
    Instant monthAgo = NOW.minus(Duration.ofDays(30));
    running(keeper, monthAgo, KEPT);
    long stale = running(failer, monthAgo, 1);
    long fresh = running(failer, NOW, 1);
    await(pool.query("ANALYZE activities").execute());

    long buffers =
        TestSupport.genericPlanBuffers(
            pool,
            Scheduler.STALE,
            "timestamptz, int, bigint[]",
            "'" + NOW.minus(DEADLINE) + "', " + Scheduler.BATCH + ", '{" + failer + "}'");
    await(scheduler.staleResults(NOW));

    assertThat(buffers).as("buffers read").isLessThan(50L);
    assertThat(TestSupport.status(pool, stale)).isEqualTo("failed");
    assertThat(TestSupport.status(pool, fresh)).isEqualTo("in-progress");
    assertThat(TestSupport.count(pool, keeper, "in-progress")).isEqualTo(KEPT);
  }

  /**
   * Inserts {@code n} running client activities of the account delivered at {@code at}; the last
   * id.
   */
  private static long running(long account, Instant at, int n) {
    long computer =
        await(
                pool.preparedQuery(
                        """
            INSERT INTO computers (account_id, title, registered_at) VALUES ($1, $2, $3)
            RETURNING id
            """)
                    .execute(
                        Tuple.of(account, TestSupport.unique("box"), at.atOffset(ZoneOffset.UTC))))
            .iterator()
            .next()
            .getLong(0);
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, computer_id, kind, type, status, summary,
                                    creator, created_at, delivered_at, attempt)
            SELECT $1, $2, 'client', 'ExecuteScriptRequest', 'in-progress', 'script', 'admin',
                   $3, $3, 1
              FROM generate_series(1, $4::int)
            RETURNING id
            """)
                .execute(Tuple.of(account, computer, at.atOffset(ZoneOffset.UTC), n)))
        .stream()
        .mapToLong(row -> row.getLong(0))
        .max()
        .orElseThrow();
  }
}
