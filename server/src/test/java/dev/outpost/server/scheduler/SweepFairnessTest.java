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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sweeps beside another account's backlog: rows that cannot move are passed over, and each
 * account's movable rows are taken in turn, so no account's backlog holds another's.
 */
@ExtendWith(VertxExtension.class)
class SweepFairnessTest {

  /** Before any other test's time: the sweeps here move no other test's rows. */
  private static final Instant NOW = Instant.parse("2020-01-01T00:00:00Z");

  private static Pool pool;
  private static Scheduler scheduler;
  private static AccountStore accounts;
  private long stuck;
  private long moving;

  @BeforeAll
  static void setUp(Vertx vertx) {
    var clock = new TestSupport.SettableClock(NOW);
    pool = Database.pool(vertx, TestSupport.database(), 2);
    scheduler =
        new Scheduler(
            pool, new ActivityStore(pool, clock), clock, Duration.ofHours(1), Duration.ofDays(1));
    accounts = new AccountStore(pool, clock);
  }

  /** Each test has two accounts of its own. */
  @BeforeEach
  void accounts() {
    stuck =
        await(
            accounts.ensureAccount(
                TestSupport.unique("stuck"), "key", "admin", TestSupport.unique("token")));
    moving =
        await(
            accounts.ensureAccount(
                TestSupport.unique("moving"), "key", "admin", TestSupport.unique("token")));
  }

  /** The tests' unfinished activities end, so that no other test's server takes them. */
  @AfterEach
  void end() {
    TestSupport.endActivities(pool, stuck, moving);
  }

  @AfterAll
  static void tearDown() {
    await(pool.close());
  }

  /**
   * Verifies that one account's waiting activities that cannot move hold nobody's back. GIVEN 1,000
   * activities of one account waiting on a Blocked one (twice the sweep's batch), and an activity
   * of another account waiting on one that Succeeded, created after them; WHEN the sweep runs
   * twice; THEN the releasable one is Queued and the 1,000 still wait (the sweep read the first 500
   * waiting rows, none of which could move, and the releasable one waited forever).
   */
  @Test
  void aReleasableActivityMovesPastAThousandThatCannot() {
    long blocked = server(stuck, "blocked");
    waiting(stuck, blocked, 2 * Scheduler.BATCH);
    long done = server(moving, "succeeded");
    long releasable = waiting(moving, done, 1);

    await(scheduler.dependencies());
    await(scheduler.dependencies());

    assertThat(TestSupport.status(pool, releasable)).isEqualTo("queued");
    assertThat(TestSupport.count(pool, stuck, "waiting")).isEqualTo(2L * Scheduler.BATCH);
  }

  /**
   * Verifies that the dependency sweep reads the activities waited on, not the waiting. GIVEN
   * 20,000 activities waiting on one Blocked activity; WHEN the sweep's statement runs in the plan
   * PostgreSQL keeps for it (its generic plan) on analyzed statistics; THEN it reads a handful of
   * buffers, not the 20,000 rows (reading the waiting and passing over those that cannot move read
   * every one of them, every second).
   */
  @Test
  void theDependencySweepReadsTheWaitedOnNotTheWaiting() {
    long blocked = server(stuck, "blocked");
    waiting(stuck, blocked, 20_000);
    await(pool.query("ANALYZE activities").execute());

    long buffers =
        TestSupport.genericPlanBuffers(
            pool,
            Scheduler.DEPENDENCIES,
            "int, text[]",
            Scheduler.BATCH + ", '{succeeded,failed,canceled}'");

    assertThat(buffers).as("buffers read").isLessThan(200L);
  }

  /**
   * Verifies that an account's due activities move beside another's backlog. GIVEN one account with
   * twice a sweep's batch of scheduled server activities due, and another account's due one
   * scheduled later; WHEN the sweep of due activities runs once; THEN the other account's is Queued
   * (taken in order of time, it waited for the whole backlog).
   */
  @Test
  void aDueActivityMovesBesideAnotherAccountsBacklog() {
    scheduled(stuck, NOW.minusSeconds(60), 2 * Scheduler.BATCH);
    long mine = scheduled(moving, NOW, 1);

    await(scheduler.due(NOW));

    assertThat(TestSupport.status(pool, mine)).isEqualTo("queued");
    assertThat(TestSupport.count(pool, stuck, "queued")).isPositive();
  }

  /**
   * Verifies that releasable waiting activities are taken account by account. GIVEN one account
   * with twice a batch of activities waiting on one that succeeded, and another account with one;
   * WHEN the dependency sweep runs once; THEN the other account's is released with the first.
   */
  @Test
  void releasesAreTakenAccountByAccount() {
    long done = server(stuck, "succeeded");
    waiting(stuck, done, 2 * Scheduler.BATCH);
    long theirs = server(moving, "succeeded");
    long mine = waiting(moving, theirs, 1);

    await(scheduler.dependencies());

    assertThat(TestSupport.status(pool, mine)).isEqualTo("queued");
  }

  /** Inserts {@code n} server activities of the account scheduled at {@code at}; the last id. */
  private long scheduled(long account, Instant at, int n) {
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, kind, type, status, summary, creator, created_at,
                                    deliver_after)
            SELECT $1, 'server', 'ArchiveRequest', 'scheduled', 'archive', 'admin', $2, $2
              FROM generate_series(1, $3::int)
            RETURNING id
            """)
                .execute(Tuple.of(account, at.atOffset(ZoneOffset.UTC), n)))
        .stream()
        .mapToLong(row -> row.getLong(0))
        .max()
        .orElseThrow();
  }

  /** Inserts a server activity of the account in the status given; its id. */
  private long server(long account, String status) {
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, kind, type, status, summary, creator, created_at)
            VALUES ($1, 'server', 'ArchiveRequest', $2, 'archive', 'admin', $3)
            RETURNING id
            """)
                .execute(Tuple.of(account, status, NOW.atOffset(ZoneOffset.UTC))))
        .iterator()
        .next()
        .getLong(0);
  }

  /** Inserts {@code n} activities of the account waiting on another; the last id. */
  private long waiting(long account, long dependsOn, int n) {
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, kind, type, status, summary, creator, created_at,
                                    depends_on)
            SELECT $1, 'server', 'ArchiveRequest', 'waiting', 'archive', 'admin', $2, $3
              FROM generate_series(1, $4::int)
            RETURNING id
            """)
                .execute(Tuple.of(account, NOW.atOffset(ZoneOffset.UTC), dependsOn, n)))
        .stream()
        .mapToLong(row -> row.getLong(0))
        .max()
        .orElseThrow();
  }
}
