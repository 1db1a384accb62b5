package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.outpost.server.LogCapture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How the job-handler's runner claims, runs, finishes and acks jobs, without a broker. */
@ExtendWith(VertxExtension.class)
class JobRunnerTest {

  private static final String ME = "job-handler:runner";

  private final TestSupport.SettableClock clock =
      new TestSupport.SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private Pool pool;
  private JobRows rows;
  private Context context;
  private Acks acks;
  private long channel;
  private JobRunner runner;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestSupport.database(), 2);
    rows = new JobRows(pool, clock);
    context = vertx.getOrCreateContext();
    acks = new Acks(new RecordingChannel(sent));
    channel = on(() -> acks.newChannel());
  }

  @AfterEach
  void tearDown() {
    if (runner != null) {
      await(runner.close());
    }
    TestSupport.endActivities(pool, rows.account);
    await(pool.close());
  }

  /**
   * Verifies that a message's activity is claimed, its handler run, the outcome written, and the
   * message acked.
   */
  @Test
  void aClaimedJobRunsAndItsMessageIsAckedOnceItsOutcomeIsWritten(Vertx vertx) {
    start(
        vertx,
        context -> {
          runs.incrementAndGet();
          return Future.succeededFuture("ran " + context.job().activityId());
        });
    long id = rows.activity("queued", 0);

    offer(id, 1);

    eventually(10, () -> sent.contains("ack up to 1"));
    assertThat(rows.result(id)).isEqualTo("succeeded ran " + id);
    assertThat(runs).hasValue(1);
  }

  /** Verifies that a message whose activity is not runnable is acked, and nothing runs. */
  @Test
  void aMessageForAnActivityNotRunnableIsAckedAndDropped(Vertx vertx) {
    start(
        vertx,
        context -> {
          runs.incrementAndGet();
          return Future.succeededFuture("ran");
        });
    long id = rows.activity("canceled", 0);

    offer(id, 1);

    eventually(10, () -> sent.contains("ack up to 1"));
    assertThat(runs).hasValue(0);
    assertThat(rows.state(id)).isEqualTo("canceled null");
  }

  /**
   * Verifies that a second message for an activity running here is acked at once, alone, and runs
   * nothing twice.
   */
  @Test
  void aSecondMessageForAJobRunningHereIsAckedAlone(Vertx vertx) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    start(
        vertx,
        context -> {
          runs.incrementAndGet();
          started.countDown();
          release.await();
          return Future.succeededFuture("done");
        });
    long id = rows.activity("queued", 0);
    offer(id, 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    offer(id, 2);

    eventually(10, () -> sent.contains("ack 2"));
    release.countDown();
    eventually(10, () -> sent.contains("ack up to 1"));
    assertThat(runs).hasValue(1);
  }

  /**
   * Verifies that a handler ending after the runner began to stop is left to its lease: its outcome
   * is not written and its message not acked (the broker gives it back), and a job claimed
   * meanwhile is not started.
   *
   * <p>GIVEN a job whose handler is running; WHEN the runner stops, a message for another activity
   * arrives, and then the handler ends; THEN both activities stay In Progress under this owner's
   * lease and no message is acked.
   */
  @Test
  void aHandlerEndingAfterTheStopIsLeftToItsLease(Vertx vertx) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    start(
        vertx,
        context -> {
          runs.incrementAndGet();
          started.countDown();
          release.await();
          return Future.succeededFuture("finished after the stop");
        });
    long running = rows.activity("queued", 0);
    long arriving = rows.activity("queued", 0);
    offer(running, 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    try (LogCapture logs = new LogCapture(Level.INFO)) {
      await(on(() -> runner.stop()));
      offer(arriving, 2);
      release.countDown();

      eventually(
          10,
          () ->
              logs.lines().stream().filter(line -> line.contains("job left to its lease")).count()
                  == 2);
    }
    assertThat(rows.state(running)).isEqualTo("in-progress " + ME);
    assertThat(rows.state(arriving)).isEqualTo("in-progress " + ME);
    assertThat(runs).hasValue(1);
    assertThat(sent).isEmpty();
  }

  /**
   * Verifies that claimed jobs take the handlers' threads by account in turn: with every thread
   * held by one account's jobs and more of them waiting, another account's job claimed after them
   * starts at the second thread to come free, not after all of them; and every job still runs once.
   */
  @Test
  void claimedJobsTakeTheThreadsByAccountInTurn(Vertx vertx) {
    JobRows other = new JobRows(pool, clock);
    List<Long> starts = new CopyOnWriteArrayList<>();
    Semaphore release = new Semaphore(0);
    try {
      start(
          vertx,
          context -> {
            starts.add(context.job().accountId());
            if (context.job().accountId() == rows.account) {
              assertThat(release.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
            }
            return Future.succeededFuture("ran");
          });
      int flood = JobRunner.HANDLER_THREADS + 4;
      List<Long> ids = new java.util.ArrayList<>();
      for (int i = 1; i <= flood; i++) {
        ids.add(rows.activity("queued", 0));
        offer(ids.get(i - 1), i);
      }
      eventually(10, () -> starts.size() == JobRunner.HANDLER_THREADS);
      long lone = other.activity("queued", 0);
      offer(lone, flood + 1);
      eventually(10, () -> other.state(lone).equals("in-progress " + ME));

      release.release(2); // two threads come free, one after the other
      eventually(10, () -> starts.size() >= JobRunner.HANDLER_THREADS + 2);
      release.release(flood);

      eventually(10, () -> ids.stream().allMatch(id -> rows.result(id).equals("succeeded ran")));
      assertThat(starts.subList(0, JobRunner.HANDLER_THREADS + 2)).contains(other.account);
      assertThat(starts).hasSize(flood + 1);
      assertThat(other.result(lone)).isEqualTo("succeeded ran");
    } finally {
      release.release(100);
      TestSupport.endActivities(pool, other.account);
    }
  }

  private void start(Vertx vertx, JobHandler handler) {
    runner =
        new JobRunner(
            vertx,
            context,
            new JobStore(pool),
            clock,
            new JobRunner.Settings(ME, Duration.ofSeconds(30), Path.of("unused"), 1000),
            Map.of("ArchiveRequest", handler),
            new ServerMetrics(),
            acks);
    await(on(() -> runner.start()));
  }

  /** A message for the activity arrives, as the consumer hands it on. */
  private void offer(long activityId, long tag) {
    on(
        () -> {
          acks.received(tag);
          runner.offer(new JobMessage(activityId, channel, tag));
          return null;
        });
  }

  /** Runs on the runner's context, as the job-handler's calls do, and answers the result. */
  private <T> T on(java.util.concurrent.Callable<T> call) {
    return await(
        Future.<T>future(
            promise ->
                context.runOnContext(
                    v -> {
                      try {
                        promise.complete(call.call());
                      } catch (Exception e) {
                        promise.fail(e);
                      }
                    })));
  }
}
