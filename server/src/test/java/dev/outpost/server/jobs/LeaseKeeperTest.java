package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.server.TestSupport;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How a job-handler keeps the leases of its jobs, on the time of an injected clock. */
@ExtendWith(VertxExtension.class)
class LeaseKeeperTest {

  /** Before any other test's times, so the sweep here finds only this test's leases expired. */
  private static final Instant START = Instant.parse("2020-01-01T00:00:00Z");

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String ME = "job-handler:keeper";
  private static final int MAX_ATTEMPTS = 3;

  private final TestSupport.SettableClock clock = new TestSupport.SettableClock(START);
  private Vertx vertx;
  private Pool pool;
  private JobStore store;
  private JobRows rows;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    pool = Database.pool(vertx, TestSupport.database(), 2);
    store = new JobStore(pool);
    rows = new JobRows(pool, clock);
  }

  @AfterEach
  void tearDown() {
    TestSupport.endActivities(pool, rows.account);
    await(pool.close());
  }

  /**
   * Verifies that a renewal extends the leases of the jobs running here to a lease from the clock's
   * now, and tells the handler of a job canceled meanwhile to stop.
   *
   * <p>GIVEN two jobs claimed at the start, one then canceled; WHEN the clock moves ten seconds on
   * and the keeper renews; THEN the running job's lease ends a lease after the clock's new time and
   * only the canceled job's context is marked canceled.
   */
  @Test
  void aRenewalExtendsTheLeasesFromTheClocksNowAndStopsTheCanceled() {
    List<JobContext> jobs = claim(rows.activity("queued", 0), rows.activity("queued", 0));
    JobContext running = jobs.get(0);
    JobContext canceled = jobs.get(1);
    await(
        new ActivityStore(pool, clock)
            .transition(
                rows.account,
                List.of(canceled.job().activityId()),
                Status.CANCELED,
                "admin",
                null));
    clock.advance(Duration.ofSeconds(10));

    await(keeper(jobs).renew());

    assertThat(rows.leaseUntil(running.job().activityId())).isEqualTo(clock.instant().plus(LEASE));
    assertThat(running.isCanceled()).isFalse();
    assertThat(canceled.isCanceled()).isTrue();
  }

  /**
   * Verifies that a started keeper renews by itself, every third of the lease.
   *
   * <p>GIVEN a keeper of one running job, with a lease of 300 ms; WHEN it is started and the clock
   * moves an hour on; THEN the job's lease soon ends a lease after that hour.
   */
  @Test
  void aStartedKeeperRenewsOnItsOwn() {
    List<JobContext> jobs = claim(rows.activity("queued", 0));
    LeaseKeeper keeper =
        new LeaseKeeper(
            vertx, store, clock, ME, Duration.ofMillis(300), MAX_ATTEMPTS, 1000, () -> jobs);
    await(keeper.start());
    try {
      clock.advance(Duration.ofHours(1));
      Instant expected = clock.instant().plus(Duration.ofMillis(300));

      eventually(10, () -> rows.leaseUntil(jobs.get(0).job().activityId()).equals(expected));
    } finally {
      await(keeper.stop());
    }
  }

  /**
   * Verifies that the sweep takes expiry from the clock: a lease past its end is released and its
   * activity published again, or failed once out of attempts, and a lease not yet over is left
   * alone.
   *
   * <p>GIVEN a job at its first attempt and one at its last, both claimed at the start, and one
   * claimed later; WHEN the clock passes the first two leases' end and the keeper sweeps; THEN the
   * first is released and published, the second failed, the third untouched.
   */
  @Test
  void theSweepReleasesOrFailsWhatExpiredByTheClock() {
    long first = rows.activity("queued", 0);
    long last = rows.activity("queued", MAX_ATTEMPTS - 1);
    claim(first, last);
    clock.advance(LEASE.dividedBy(2));
    long later = rows.activity("queued", 0);
    claim(later);
    clock.set(START.plus(LEASE).plusSeconds(1));

    var republished = await(keeper(List.of()).sweep());

    assertThat(republished).contains(first).doesNotContain(last, later);
    assertThat(rows.state(first)).isEqualTo("in-progress null");
    assertThat(rows.published(first)).isEqualTo(1);
    assertThat(rows.result(last))
        .isEqualTo(
            "failed gave up after 3 attempts: the job-handler running it stopped renewing its lease");
    assertThat(rows.state(later)).isEqualTo("in-progress " + ME);
  }

  private LeaseKeeper keeper(List<JobContext> running) {
    return new LeaseKeeper(vertx, store, clock, ME, LEASE, MAX_ATTEMPTS, 1000, () -> running);
  }

  /** Claims the activities for this owner at the clock's time; their contexts, in that order. */
  private List<JobContext> claim(Long... ids) {
    List<Job> jobs = await(store.claim(List.of(ids), ME, clock.instant(), LEASE));
    return List.of(ids).stream()
        .map(id -> jobs.stream().filter(job -> job.activityId() == id).findFirst().orElseThrow())
        .map(job -> new JobContext(job, vertx, store, Path.of("unused"), clock))
        .toList();
  }
}
