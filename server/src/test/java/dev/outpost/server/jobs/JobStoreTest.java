package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.JobTransitions;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The job-handler's SQL for many jobs at once, against the real database. */
@ExtendWith(VertxExtension.class)
class JobStoreTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String ME = "job-handler:me";
  private static final String OTHER = "job-handler:other";

  private static Pool pool;
  private static JobStore store;
  private static ActivityStore activities;
  private static long account;

  @BeforeAll
  static void setUp(Vertx vertx) {
    var clock = new TestSupport.SettableClock(NOW);
    pool = Database.pool(vertx, TestSupport.database(), 4);
    store = new JobStore(pool);
    activities = new ActivityStore(pool, clock);
    account =
        await(
            new AccountStore(pool, clock)
                .ensureAccount(
                    TestSupport.unique("jobs"), "key", "admin", TestSupport.unique("token")));
  }

  @AfterAll
  static void tearDown() {
    await(pool.close());
  }

  /**
   * Verifies that a claim of many activities takes the Queued ones and the one whose lease the
   * sweep released, leaves the canceled, the finished and another owner's alone, and logs one event
   * for each activity that changed status.
   *
   * <p>GIVEN two Queued activities, a released one, a canceled, a succeeded and one another
   * job-handler runs; WHEN one statement claims them all; THEN only the runnable three are claimed,
   * each at its next attempt, and nothing else changed.
   */
  @Test
  void aBatchClaimTakesOnlyWhatIsRunnable() {
    long first = activity("queued", null, 0);
    long second = activity("queued", null, 0);
    long released = activity("in-progress", null, 1);
    long canceled = activity("canceled", null, 0);
    long succeeded = activity("succeeded", null, 1);
    long othersRunning = activity("in-progress", OTHER, 1);

    List<Job> jobs =
        await(
            store.claim(
                List.of(first, second, released, canceled, succeeded, othersRunning),
                ME,
                NOW,
                LEASE));

    assertThat(jobs).extracting(Job::activityId).containsExactlyInAnyOrder(first, second, released);
    assertThat(jobs).allSatisfy(job -> assertThat(job.owner()).isEqualTo(ME));
    assertThat(jobs)
        .filteredOn(job -> job.activityId() == released)
        .extracting(Job::attempt)
        .containsExactly(2);
    assertThat(jobs)
        .filteredOn(job -> job.activityId() != released)
        .extracting(Job::attempt)
        .containsOnly(1);
    assertThat(state(first)).isEqualTo("in-progress " + ME);
    assertThat(state(canceled)).isEqualTo("canceled null");
    assertThat(state(succeeded)).isEqualTo("succeeded null");
    assertThat(state(othersRunning)).isEqualTo("in-progress " + OTHER);
    assertThat(events(first)).containsExactly("queued>in-progress " + ME + " claimed");
    assertThat(events(released)).isEmpty();
    assertThat(events(canceled)).isEmpty();
  }

  /**
   * Verifies that claiming again what this owner claimed in a statement whose answer was lost takes
   * it at the next attempt without logging a second transition, while another owner's claim of the
   * same activities gets nothing.
   */
  @Test
  void aClaimWhoseAnswerWasLostIsTakenAgainOnlyByItsOwner() {
    long id = activity("queued", null, 0);
    await(store.claim(List.of(id), ME, NOW, LEASE));

    List<Job> others = await(store.claim(List.of(id), OTHER, NOW, LEASE));
    List<Job> again = await(store.claim(List.of(id), ME, NOW, LEASE));

    assertThat(others).isEmpty();
    assertThat(again).extracting(Job::attempt).containsExactly(2);
    assertThat(events(id)).containsExactly("queued>in-progress " + ME + " claimed");
  }

  /**
   * Verifies that one statement writes the outcomes of the jobs still this owner's at their
   * attempt, each with its own status and text, and leaves as they are a job canceled meanwhile,
   * one taken over by another job-handler, and one whose lease was released and not yet taken (same
   * attempt, no owner).
   */
  @Test
  void aBatchOfOutcomesWritesOnlyTheJobsStillOwned() {
    List<Job> jobs =
        await(
            store.claim(
                List.of(
                    activity("queued", null, 0),
                    activity("queued", null, 0),
                    activity("queued", null, 0),
                    activity("queued", null, 0),
                    activity("queued", null, 0)),
                ME,
                NOW,
                LEASE));
    Job done = jobs.get(0);
    Job broken = jobs.get(1);
    Job canceled = jobs.get(2);
    Job takenOver = jobs.get(3);
    Job released = jobs.get(4);
    release(released);
    await(
        activities.transition(
            account, List.of(canceled.activityId()), Status.CANCELED, "admin", null));
    release(takenOver);
    await(store.claim(List.of(takenOver.activityId()), OTHER, NOW, LEASE));

    var written =
        await(
            store.finish(
                List.of(
                    new JobStore.Outcome(done, Status.SUCCEEDED, "all done"),
                    new JobStore.Outcome(broken, Status.FAILED, "disk on fire"),
                    new JobStore.Outcome(canceled, Status.SUCCEEDED, "too late"),
                    new JobStore.Outcome(takenOver, Status.SUCCEEDED, "zombie"),
                    new JobStore.Outcome(released, Status.SUCCEEDED, "lease lost")),
                ME,
                NOW));

    assertThat(written).containsExactlyInAnyOrder(done.activityId(), broken.activityId());
    assertThat(result(done)).isEqualTo("succeeded all done 100");
    assertThat(result(broken)).isEqualTo("failed disk on fire null");
    assertThat(result(canceled)).isEqualTo("canceled null null");
    assertThat(state(takenOver.activityId())).isEqualTo("in-progress " + OTHER);
    assertThat(state(released.activityId())).isEqualTo("in-progress null");
    assertThat(events(done.activityId()))
        .containsExactly(
            "queued>in-progress " + ME + " claimed", "in-progress>succeeded " + ME + " done");
    assertThat(events(broken.activityId()))
        .containsExactly(
            "queued>in-progress " + ME + " claimed",
            "in-progress>failed " + ME + " handler failed");
  }

  /**
   * Verifies that one renewal extends the leases still this owner's and names only those: not a job
   * canceled meanwhile, nor one whose lease was released.
   */
  @Test
  void aBatchRenewalExtendsOnlyTheLeasesStillOwned() {
    List<Job> jobs =
        await(
            store.claim(
                List.of(
                    activity("queued", null, 0),
                    activity("queued", null, 0),
                    activity("queued", null, 0)),
                ME,
                NOW,
                LEASE));
    Job running = jobs.get(0);
    Job canceled = jobs.get(1);
    release(jobs.get(2));
    await(
        activities.transition(
            account, List.of(canceled.activityId()), Status.CANCELED, "admin", null));
    Instant until = NOW.plus(Duration.ofMinutes(5));

    var ours = await(store.renew(jobs, ME, until));

    assertThat(ours).containsExactly(running.activityId());
    assertThat(leaseUntil(running.activityId())).isEqualTo(until);
  }

  /**
   * Verifies that a claim reaches each row by its key in the plan PostgreSQL keeps for it once the
   * statement is prepared (its generic plan), on a table analyzed with many finished rows: buffers
   * read stay a few dozen per job. With the batch's ids named to the UPDATE as well, the plan
   * probed the index for every id once per locked row (over 500 buffers per job for 256).
   */
  @Test
  void aClaimsGenericPlanReachesEachRowByItsKey() {
    await(
        pool.preparedQuery(
                """
            INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                    created_at, attempt)
            SELECT $1, 'server', 'ArchiveRequest', 'succeeded', 'Archive', '{}', 'tester', $2, 1
              FROM generate_series(1, 5000)
            """)
            .execute(Tuple.of(account, NOW.atOffset(ZoneOffset.UTC))));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      ids.add(activity("queued", null, 0));
    }
    await(pool.query("ANALYZE activities").execute());

    long buffers =
        TestSupport.genericPlanBuffers(
            pool,
            JobTransitions.CLAIM,
            "bigint[], text, timestamptz, timestamptz, text[], text",
            "'{"
                + ids.stream().map(String::valueOf).collect(joining(","))
                + "}', '"
                + ME
                + "', '"
                + NOW
                + "', '"
                + NOW.plus(LEASE)
                + "', '{queued}', 'in-progress'");

    assertThat(buffers).isLessThan(100L * ids.size());
    assertThat(ids).allSatisfy(id -> assertThat(state(id)).isEqualTo("queued null"));
  }

  /** Drops a job's lease owner, as the sweep releases an expired lease. */
  private static void release(Job job) {
    await(
        pool.preparedQuery("UPDATE activities SET lease_owner = NULL WHERE id = $1")
            .execute(Tuple.of(job.activityId())));
  }

  /** A server activity in the given state, inserted as it stands (no outbox row, no events). */
  private static long activity(String status, String owner, int attempt) {
    return await(
            pool.preparedQuery(
                    """
            INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                    created_at, lease_owner, attempt)
            VALUES ($1, 'server', 'ArchiveRequest', $2, 'Archive', '{}', 'tester', $3, $4, $5)
            RETURNING id
            """)
                .execute(Tuple.of(account, status, NOW.atOffset(ZoneOffset.UTC), owner, attempt)))
        .iterator()
        .next()
        .getLong(0);
  }

  private static String state(long id) {
    Row row = row("SELECT status, lease_owner FROM activities WHERE id = $1", id);
    return row.getString(0) + " " + row.getString(1);
  }

  private static String result(Job job) {
    Row row =
        row("SELECT status, result_text, progress FROM activities WHERE id = $1", job.activityId());
    return row.getString(0) + " " + row.getString(1) + " " + row.getInteger(2);
  }

  private static Instant leaseUntil(long id) {
    return row("SELECT lease_until FROM activities WHERE id = $1", id)
        .getOffsetDateTime(0)
        .toInstant();
  }

  private static List<String> events(long id) {
    List<String> events = new ArrayList<>();
    await(
            pool.preparedQuery(
                    """
            SELECT from_status, to_status, actor, reason FROM activity_events
             WHERE activity_id = $1 ORDER BY id
            """)
                .execute(Tuple.of(id)))
        .forEach(
            row ->
                events.add(
                    row.getString(0)
                        + ">"
                        + row.getString(1)
                        + " "
                        + row.getString(2)
                        + " "
                        + row.getString(3)));
    return events;
  }

  private static Row row(String sql, long id) {
    return await(pool.preparedQuery(sql).execute(Tuple.of(id))).iterator().next();
  }
}
