package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TcpProxy;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.embedded.EmbeddedBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Server activities through the real RabbitMQ: outbox, job-handler, leases, reconnection. */
@ExtendWith(VertxExtension.class)
class JobsTest {

  private static final String NO_OP = "ArchiveRequest";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /**
   * Verifies that a server activity created through the API runs on the job-handler and succeeds.
   */
  @Test
  void aServerActivityRunsToSucceeded(Vertx vertx) {
    ServerFixture fx = fixture(vertx, Map.of(), Map.of(NO_OP, counting()));

    long id = create(fx);

    eventually(20, () -> status(fx, id).equals("succeeded"));
    JsonObject activity = fx.get("/activities/" + id).bodyAsJsonObject();
    assertThat(activity.getString("result_text")).isEqualTo("ran " + id);
    assertThat(activity.getInteger("progress")).isEqualTo(100);
    assertThat(runs.get(id)).hasValue(1);
  }

  /** Verifies that the same path works on the embedded broker that scripts/run starts. */
  @Test
  void aServerActivityRunsOnTheEmbeddedBroker(Vertx vertx, @TempDir Path home) {
    EmbeddedBroker broker = EmbeddedBroker.start(home, Secrets.generate());
    toClose.add(broker);
    ServerFixture fx =
        fixture(vertx, Map.of("OUTPOST_AMQP_URL", broker.amqpUrl()), Map.of(NO_OP, counting()));

    long id = create(fx);

    eventually(30, () -> status(fx, id).equals("succeeded"));
    assertThat(runs.get(id)).hasValue(1);
  }

  /** Verifies that a duplicated queue message runs nothing twice. */
  @Test
  void aDuplicatedMessageRunsNothingTwice(Vertx vertx) {
    ServerFixture fx =
        fixture(vertx, Map.of("OUTPOST_JOBS_PREFETCH", "1"), Map.of(NO_OP, counting()));
    long id = create(fx);
    eventually(20, () -> status(fx, id).equals("succeeded"));

    publishRaw(vertx, fx, id);
    long sentinel = create(fx); // behind the duplicate in the queue, and prefetch is 1

    eventually(20, () -> status(fx, sentinel).equals("succeeded"));
    assertThat(runs.get(id)).hasValue(1);
    assertThat(events(fx, id)).containsExactly("queued", "in-progress", "succeeded");
  }

  /** Verifies that an activity canceled before a job-handler picks it up never runs. */
  @Test
  void anActivityCanceledBeforePickupNeverRuns(Vertx vertx) {
    ServerFixture fx = fixture(vertx, Map.of("OUTPOST_ROLE", "api"), Map.of());
    long id = create(fx);
    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    jobHandler(vertx, fx, Map.of("OUTPOST_JOBS_PREFETCH", "1"), Map.of(NO_OP, counting()));
    long sentinel = create(fx);

    eventually(20, () -> status(fx, sentinel).equals("succeeded"));
    assertThat(runs).doesNotContainKey(id);
    assertThat(status(fx, id)).isEqualTo("canceled");
  }

  /**
   * Verifies that a burst of activities waiting in the queue, some canceled before pickup, ends
   * with every activity ending once: the canceled ones never run, the others succeed with one run
   * each and the plain transition log. (How they are gathered into batches is {@code
   * BatcherTest}'s.)
   */
  @Test
  void aBurstOfActivitiesEndsEachOnce(Vertx vertx) {
    ServerFixture fx = fixture(vertx, Map.of("OUTPOST_ROLE", "api"), Map.of());
    List<Long> ids = new ArrayList<>();
    List<Long> canceled = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      long id = create(fx);
      (i % 5 == 0 ? canceled : ids).add(id);
    }
    JsonArray cancel = new JsonArray();
    canceled.forEach(cancel::add);
    fx.post("/activities/cancel", new JsonObject().put("ids", cancel));

    jobHandler(vertx, fx, Map.of(), Map.of(NO_OP, counting()));

    eventually(30, () -> ids.stream().allMatch(id -> status(fx, id).equals("succeeded")));
    ids.forEach(id -> assertThat(runs.get(id)).as("runs of %d", id).hasValue(1));
    ids.forEach(
        id ->
            assertThat(events(fx, id))
                .as("events of %d", id)
                .containsExactly("queued", "in-progress", "succeeded"));
    assertThat(runs).doesNotContainKeys(canceled.toArray(Long[]::new));
    canceled.forEach(id -> assertThat(status(fx, id)).isEqualTo("canceled"));
  }

  /**
   * Verifies that one account's flood of server activities does not hold another account's: with
   * the flood waiting in the outbox before any job-handler runs, the other account's activity is
   * published behind at most the flood's bound, runs before all but a few of the flood, and every
   * activity of both still runs exactly once, its outbox rows gone once it ended.
   */
  @Test
  void oneAccountsFloodDoesNotHoldAnothersActivity(Vertx vertx) {
    int flood = 200;
    ServerFixture fx =
        fixture(vertx, Map.of("OUTPOST_ROLE", "api", "OUTPOST_JOBS_PER_ACCOUNT", "5"), Map.of());
    String otherToken = TestSupport.unique("token");
    long other =
        await(
            fx.server
                .accounts()
                .ensureAccount(
                    TestSupport.unique("account"), TestSupport.unique("key"), "admin", otherToken));
    toClose.add(() -> TestSupport.endActivities(fx.server.pool(), fx.accountId, other));
    List<Long> floodIds = new ArrayList<>();
    for (int i = 0; i < flood; i++) {
      floodIds.add(create(fx));
    }
    long lone =
        await(
                fx.api(HttpMethod.POST, "/activities")
                    .bearerTokenAuthentication(otherToken)
                    .sendJsonObject(
                        new JsonObject()
                            .put("type", NO_OP)
                            .put("parameters", new JsonObject().put("older_than_days", 1))))
            .bodyAsJsonObject()
            .getLong("id");
    AtomicInteger floodRuns = new AtomicInteger();
    AtomicInteger floodRunsBeforeLone = new AtomicInteger(-1);
    JobHandler recording =
        context -> {
          long account = context.job().accountId();
          if (account == fx.accountId) {
            floodRuns.incrementAndGet();
          } else if (account == other) {
            floodRunsBeforeLone.set(floodRuns.get());
          } else {
            return Future.succeededFuture("another test's");
          }
          return counting().run(context);
        };

    // one message at a time: the job-handler's own turn by account cannot hide the relay's order
    jobHandler(
        vertx,
        fx,
        Map.of("OUTPOST_JOBS_PER_ACCOUNT", "5", "OUTPOST_JOBS_PREFETCH", "1"),
        Map.of(NO_OP, recording));

    eventually(60, () -> floodIds.stream().allMatch(id -> status(fx, id).equals("succeeded")));
    assertThat(
            await(
                    fx.api(HttpMethod.GET, "/activities/" + lone)
                        .bearerTokenAuthentication(otherToken)
                        .send())
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("succeeded");
    // published behind at most the bound of each pass under way (5 × 2), and run beside them
    assertThat(floodRunsBeforeLone.get()).isBetween(0, 2 * 5 + JobRunner.HANDLER_THREADS);
    floodIds.forEach(id -> assertThat(runs.get(id)).as("runs of %d", id).hasValue(1));
    assertThat(runs.get(lone)).hasValue(1);
    long left =
        await(
                fx.server
                    .pool()
                    .preparedQuery("SELECT count(*) FROM outbox WHERE account_id = ANY($1)")
                    .execute(Tuple.of(new Long[] {fx.accountId, other})))
            .iterator()
            .next()
            .getLong(0);
    assertThat(left).isZero();
  }

  /** Verifies that a handler that throws fails the activity with the error text, once. */
  @Test
  void aThrowingHandlerFailsTheActivity(Vertx vertx) {
    JobHandler broken =
        context -> {
          runs.computeIfAbsent(context.job().activityId(), k -> new AtomicInteger())
              .incrementAndGet();
          throw new IllegalStateException("disk on fire");
        };
    ServerFixture fx = fixture(vertx, Map.of(), Map.of(NO_OP, broken));

    long id = create(fx);

    eventually(20, () -> status(fx, id).equals("failed"));
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("result_text"))
        .isEqualTo("disk on fire");
    assertThat(runs.get(id)).hasValue(1);
  }

  /**
   * Verifies that canceling a running activity tells its handler, which stops; it ends Canceled.
   */
  @Test
  void cancelWhileInProgressStopsTheHandler(Vertx vertx) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    // every fixture's relay publishes any account's outbox rows to its own queue, and its lease
    // sweep any account's expired leases: a job another test left behind may reach this handler
    AtomicLong account = new AtomicLong(-1);
    JobHandler patient =
        context -> {
          if (context.job().accountId() != account.get()) {
            return Future.succeededFuture("another test's");
          }
          started.countDown();
          try {
            for (int i = 0;
                i < 2000;
                i++) { // at most ~40 s, then the test fails instead of hanging
              context.checkCanceled();
              Thread.sleep(20);
            }
            return Future.succeededFuture("finished unbothered");
          } catch (JobCanceledException e) {
            stopped.countDown();
            throw e;
          }
        };
    ServerFixture fx =
        fixture(vertx, Map.of("OUTPOST_JOBS_LEASE_SECONDS", "1"), Map.of(NO_OP, patient));
    account.set(fx.accountId);
    long id = create(fx);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(status(fx, id)).isEqualTo("canceled");
    assertThat(events(fx, id)).containsExactly("queued", "in-progress", "canceled");
  }

  /**
   * Verifies that an activity whose job-handler stopped mid-job is not failed by the stop (its
   * handler was cut short), is retried once its lease expires, and completes exactly once.
   */
  @Test
  void aJobHandlerStoppedMidJobIsRetried(Vertx vertx) throws Exception {
    ServerFixture fx = fixture(vertx, Map.of("OUTPOST_ROLE", "api"), Map.of());
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger completions = new AtomicInteger();
    // every fixture serves any account's leftovers (see the cancel test): count this test's job
    JobHandler stuck =
        context -> {
          if (context.job().accountId() != fx.accountId) {
            return Future.succeededFuture("another test's");
          }
          firstStarted.countDown();
          never.await(); // this job-handler dies before it finishes
          return Future.succeededFuture("zombie");
        };
    JobHandler healthy =
        context -> {
          if (context.job().accountId() != fx.accountId) {
            return Future.succeededFuture("another test's");
          }
          completions.incrementAndGet();
          return Future.succeededFuture("attempt " + context.job().attempt());
        };
    OutpostServer first = jobHandler(vertx, fx, Map.of(), Map.of(NO_OP, stuck));
    long id = create(fx);
    assertThat(firstStarted.await(20, TimeUnit.SECONDS)).isTrue();

    await(first.close()); // interrupts the stuck handler: cut short, not failed
    assertThat(status(fx, id)).isEqualTo("in-progress");
    jobHandler(vertx, fx, Map.of("OUTPOST_JOBS_LEASE_SECONDS", "2"), Map.of(NO_OP, healthy));
    fx.clock.set(fx.clock.instant().plus(Duration.ofMinutes(5))); // the lease runs out

    eventually(20, () -> status(fx, id).equals("succeeded"));
    never.countDown();
    assertThat(completions).hasValue(1);
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("result_text"))
        .isEqualTo("attempt 2");
    assertThat(events(fx, id)).containsExactly("queued", "in-progress", "succeeded");
  }

  /**
   * Verifies that activities all finish, each once, across a dropped and restored broker
   * connection.
   */
  @Test
  void everyActivityFinishesAcrossABrokerOutage(Vertx vertx) {
    TcpProxy proxy = new TcpProxy(vertx, "127.0.0.1", amqpPort());
    toClose.add(proxy);
    ServerFixture fx =
        fixture(
            vertx,
            Map.of("OUTPOST_AMQP_URL", "amqp://guest:guest@127.0.0.1:" + proxy.port()),
            Map.of(NO_OP, counting()));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(create(fx));
    }

    proxy.cut();
    for (int i = 0; i < 10; i++) {
      ids.add(create(fx));
    }
    proxy.restore();

    eventually(30, () -> ids.stream().allMatch(id -> status(fx, id).equals("succeeded")));
    ids.forEach(id -> assertThat(runs.get(id)).as("runs of %d", id).hasValue(1));
  }

  /**
   * Verifies that activities all finish, each once, across a dropped and restored database
   * connection.
   */
  @Test
  void everyActivityFinishesAcrossADatabaseOutage(Vertx vertx) {
    var db = TestSupport.database();
    TcpProxy proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    toClose.add(proxy);
    ServerFixture fx =
        fixture(
            vertx,
            Map.of(
                "OUTPOST_DB_URL",
                "postgresql://"
                    + db.getUser()
                    + "@127.0.0.1:"
                    + proxy.port()
                    + "/"
                    + db.getDatabase()),
            Map.of(NO_OP, counting()));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(create(fx));
    }

    proxy.cut();
    assertThat(fx.get("/activities").statusCode()).isEqualTo(503);
    proxy.restore();
    for (int i = 0; i < 5; i++) {
      ids.add(create(fx));
    }

    eventually(30, () -> ids.stream().allMatch(id -> status(fx, id).equals("succeeded")));
    ids.forEach(id -> assertThat(runs.get(id)).as("runs of %d", id).hasValue(1));
  }

  private ServerFixture fixture(
      Vertx vertx, Map<String, String> env, Map<String, JobHandler> handlers) {
    ServerFixture fx = new ServerFixture(vertx, env, handlers);
    toClose.add(fx);
    return fx;
  }

  /** A second process of role job-handler on the fixture's queue and clock. */
  private OutpostServer jobHandler(
      Vertx vertx, ServerFixture fx, Map<String, String> env, Map<String, JobHandler> handlers) {
    Map<String, String> settings = new HashMap<>(env);
    settings.put("OUTPOST_ROLE", "job-handler");
    settings.put("OUTPOST_JOBS_QUEUE", fx.config.jobs().queue());
    settings.put("OUTPOST_HOME", fx.config.home().toString());
    OutpostServer server =
        await(
            OutpostServer.start(
                vertx,
                TestSupport.database(),
                TestSupport.amqpUrl(),
                ServerConfig.fromEnv(settings),
                fx.clock,
                handlers));
    toClose.add(() -> await(server.close()));
    return server;
  }

  private JobHandler counting() {
    return context -> {
      long id = context.job().activityId();
      runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      return Future.succeededFuture("ran " + id);
    };
  }

  private static long create(ServerFixture fx) {
    return fx.post(
            "/activities",
            new JsonObject()
                .put("type", NO_OP)
                .put("parameters", new JsonObject().put("older_than_days", 1)))
        .bodyAsJsonObject()
        .getLong("id");
  }

  private static String status(ServerFixture fx, long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }

  private static List<String> events(ServerFixture fx, long id) {
    return fx
        .get("/activities/" + id + "/events")
        .bodyAsJsonObject()
        .getJsonArray("results")
        .stream()
        .map(e -> ((JsonObject) e).getString("to"))
        .toList();
  }

  private static void publishRaw(Vertx vertx, ServerFixture fx, long activityId) {
    RabbitMQClient client =
        RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(TestSupport.amqpUrl()));
    await(client.start());
    await(
        client.basicPublish(
            "",
            fx.config.jobs().queue(),
            new JsonObject().put("activity_id", activityId).toBuffer()));
    await(client.stop());
  }

  private static int amqpPort() {
    return java.net.URI.create(TestSupport.amqpUrl()).getPort();
  }
}
