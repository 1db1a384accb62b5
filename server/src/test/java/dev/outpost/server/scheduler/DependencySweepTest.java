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

/** The dependency sweep beside many waiting activities that cannot move. */
@ExtendWith(VertxExtension.class)
class DependencySweepTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private static Pool pool;
  private static Scheduler scheduler;
  private static long stuck;
  private static long moving;

  @BeforeAll
  static void setUp(Vertx vertx) {
    var clock = new TestSupport.SettableClock(NOW);
    pool = Database.pool(vertx, TestSupport.database(), 2);
    scheduler = new Scheduler(pool, new ActivityStore(pool, clock), clock, Duration.ofHours(1),
        Duration.ofDays(1));
    AccountStore accounts = new AccountStore(pool, clock);
    stuck = await(accounts.ensureAccount(TestSupport.unique("stuck"), "key", "admin",
        TestSupport.unique("token")));
    moving = await(accounts.ensureAccount(TestSupport.unique("moving"), "key", "admin",
        TestSupport.unique("token")));
  }

  @AfterAll
  static void tearDown() {
    await(pool.close());
  }

  /**
   * Verifies that one account's waiting activities that cannot move hold nobody's back. GIVEN
   * 1,000 activities of one account waiting on a Blocked one (twice the sweep's batch), and an
   * activity of another account waiting on one that Succeeded, created after them; WHEN the
   * sweep runs twice; THEN the releasable one is Queued and the 1,000 still wait (the sweep read
   * the first 500 waiting rows, none of which could move, and the releasable one waited forever).
   */
  @Test
  void aReleasableActivityMovesPastAThousandThatCannot() {
    long blocked = server(stuck, "blocked");
    waiting(stuck, blocked, 2 * Scheduler.BATCH);
    long done = server(moving, "succeeded");
    long releasable = waiting(moving, done, 1);

    await(scheduler.dependencies());
    await(scheduler.dependencies());

    assertThat(status(releasable)).isEqualTo("queued");
    assertThat(count(stuck, "waiting")).isEqualTo(2L * Scheduler.BATCH);
  }

  /** Inserts a server activity of the account in the status given; its id. */
  private static long server(long account, String status) {
    return await(pool.preparedQuery("""
            INSERT INTO activities (account_id, kind, type, status, summary, creator, created_at)
            VALUES ($1, 'server', 'ArchiveRequest', $2, 'archive', 'admin', $3)
            RETURNING id
            """)
        .execute(Tuple.of(account, status, NOW.atOffset(ZoneOffset.UTC))))
        .iterator().next().getLong(0);
  }

  /** Inserts {@code n} activities of the account waiting on another; the last id. */
  private static long waiting(long account, long dependsOn, int n) {
    return await(pool.preparedQuery("""
            INSERT INTO activities (account_id, kind, type, status, summary, creator, created_at,
                                    depends_on)
            SELECT $1, 'server', 'ArchiveRequest', 'waiting', 'archive', 'admin', $2, $3
              FROM generate_series(1, $4::int)
            RETURNING id
            """)
        .execute(Tuple.of(account, NOW.atOffset(ZoneOffset.UTC), dependsOn, n)))
        .stream().mapToLong(row -> row.getLong(0)).max().orElseThrow();
  }

  private static String status(long id) {
    return await(pool.preparedQuery("SELECT status FROM activities WHERE id = $1")
        .execute(Tuple.of(id))).iterator().next().getString(0);
  }

  private static long count(long account, String status) {
    return await(pool.preparedQuery(
            "SELECT count(*) FROM activities WHERE account_id = $1 AND status = $2")
        .execute(Tuple.of(account, status))).iterator().next().getLong(0);
  }
}
