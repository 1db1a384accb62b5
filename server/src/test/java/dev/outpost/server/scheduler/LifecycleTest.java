package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ways into and out of the seed's states, through the real server, RabbitMQ and a protocol peer
 * for client activities. Time is the fixture's clock: tests move it, never sleep on it.
 */
@ExtendWith(VertxExtension.class)
class LifecycleTest {

  private static final CountDownLatch PROGRESS_REPORTED = new CountDownLatch(1);
  private static final CountDownLatch TIMEOUT_NOTICED = new CountDownLatch(1);
  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    JobHandler slow =
        context -> {
          String mode = context.job().parameters().getString("pocket");
          if (mode.equals("progress")) {
            await(context.progress(60));
            PROGRESS_REPORTED.countDown();
          }
          while (!context.isCanceled()) {
            Thread.sleep(20);
          }
          TIMEOUT_NOTICED.countDown();
          return Future.succeededFuture("never written");
        };
    JobHandler failing =
        context -> {
          throw new IllegalStateException("nope");
        };
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_SWEEP_INTERVAL_MS",
                "50",
                "OUTPOST_JOBS_LEASE_SECONDS",
                "1",
                "OUTPOST_RESULT_DEADLINE_SECONDS",
                "600"),
            Map.of("SyncPocketRequest", slow, "GenerateUsgReportActivity", failing));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a Scheduled client activity is delivered at the first exchange after its time,
   * not before.
   */
  @Test
  void aScheduledClientActivityWaitsForItsTime() {
    ProtocolClient agent = ProtocolClient.registered(fx, "sched-1");
    long id = create(script(agent).put("deliver_after", later(60).toString()));
    assertThat(status(id)).isEqualTo("scheduled");

    assertThat(agent.exchange(List.of()).mapList("messages")).isEmpty();
    advance(Duration.ofMinutes(61));

    assertThat(agent.exchange(List.of()).mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.integer("operation-id")).isEqualTo(id));
    assertThat(events(id)).containsExactly("scheduled", "in-progress");
  }

  /** Verifies that a Scheduled server activity goes to Queued at its time and then runs. */
  @Test
  void aScheduledServerActivityIsQueuedAtItsTime() {
    long id = create(archive().put("deliver_after", later(30).toString()));
    assertThat(status(id)).isEqualTo("scheduled");

    advance(Duration.ofMinutes(31));

    eventually(20, () -> status(id).equals("succeeded"));
    assertThat(events(id)).containsExactly("scheduled", "queued", "in-progress", "succeeded");
  }

  /** Verifies that each child of a group draws its own delivery time inside the delay window. */
  @Test
  void aDelayWindowSpreadsTheChildren() {
    Instant now = fx.clock.instant();
    JsonArray computers = new JsonArray();
    for (int i = 0; i < 5; i++) {
      computers.add(fx.computer("window-" + i));
    }
    JsonObject group =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ExecuteScriptRequest")
                    .put("computer_ids", computers)
                    .put("deliver_delay_window", 30)
                    .put("parameters", new JsonObject().put("code", "true")))
            .bodyAsJsonObject();

    List<Instant> times =
        group.getJsonArray("children").stream()
            .map(c -> (JsonObject) c)
            .peek(c -> assertThat(c.getString("status")).isEqualTo("scheduled"))
            .map(c -> Instant.parse(c.getString("deliver_after")))
            .toList();
    assertThat(times)
        .allSatisfy(t -> assertThat(t).isBetween(now, now.plus(Duration.ofMinutes(30))));
    assertThat(times.stream().distinct()).hasSizeGreaterThan(1);
  }

  /**
   * Verifies that an activity not delivered before deliver_before ends Canceled as expired, never
   * delivered.
   */
  @Test
  void anUndeliveredActivityExpires() {
    ProtocolClient agent = ProtocolClient.registered(fx, "expire-1");
    long id = create(script(agent).put("deliver_before", later(10).toString()));

    advance(Duration.ofMinutes(11));

    eventually(20, () -> status(id).equals("canceled"));
    assertThat(activity(id).getString("result_text")).startsWith("expired");
    assertThat(agent.exchange(List.of()).mapList("messages")).isEmpty();
  }

  /**
   * Verifies that a server activity running past its execution timeout fails, and its handler is
   * told.
   */
  @Test
  void aServerActivityTimesOut() throws Exception {
    long id = create(pocket("timeout").put("execution_timeout", 60));
    assertThat(activity(id).getInteger("execution_timeout")).isEqualTo(60);
    eventually(20, () -> status(id).equals("in-progress"));

    advance(Duration.ofSeconds(61));

    eventually(20, () -> status(id).equals("failed"));
    assertThat(activity(id).getString("result_text")).startsWith("timeout");
    assertThat(TIMEOUT_NOTICED.await(20, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Verifies that a delivered client activity without a result is shown stale past the deadline,
   * fails as no-result where the account says so, and still records a late result.
   */
  @Test
  void aMissingResultGoesStaleThenFails() {
    ProtocolClient agent = ProtocolClient.registered(fx, "stale-1");
    long id = create(script(agent));
    agent.exchange(List.of());
    assertThat(activity(id).getBoolean("stale")).isFalse();

    advance(Duration.ofMinutes(11));
    assertThat(activity(id).getBoolean("stale")).isTrue();
    assertThat(status(id)).isEqualTo("in-progress");

    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/account")
            .sendJsonObject(new JsonObject().put("fail_stale_results", true)));
    eventually(20, () -> status(id).equals("failed"));
    assertThat(activity(id).getString("result_text")).startsWith("no-result");

    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "late but done")));
    assertThat(activity(id).getString("result_text")).isEqualTo("late but done");
    assertThat(status(id)).isEqualTo("failed");
    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/account")
            .sendJsonObject(new JsonObject().put("fail_stale_results", false)));
  }

  /**
   * Verifies that a Waiting activity is released when its dependency succeeds, and delivered then.
   */
  @Test
  void aWaitingActivityRunsAfterItsDependency() {
    ProtocolClient agent = ProtocolClient.registered(fx, "wait-1");
    long first = create(archive().put("requires_approval", true));
    long second = create(script(agent).put("depends_on", first));
    assertThat(status(second)).isEqualTo("waiting");
    assertThat(activity(second).getLong("depends_on")).isEqualTo(first);
    assertThat(activity(second).getString("on_dependency_failure")).isEqualTo("cancel");
    assertThat(agent.exchange(List.of()).mapList("messages")).isEmpty();

    fx.post("/activities/approve", new JsonObject().put("ids", new JsonArray().add(first)));

    eventually(20, () -> status(second).equals("queued"));
    assertThat(agent.exchange(List.of()).mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.integer("operation-id")).isEqualTo(second));
    assertThat(events(second)).containsExactly("waiting", "queued", "in-progress");
  }

  /**
   * Verifies that a failed dependency cancels its dependents, unless they are told to run anyway.
   */
  @Test
  void aFailedDependencyCancelsOrReleases() {
    long failing = create(new JsonObject().put("type", "GenerateUsgReportActivity"));
    long canceled = create(archive().put("depends_on", failing));
    long released =
        create(archive().put("depends_on", failing).put("on_dependency_failure", "run"));

    eventually(20, () -> status(canceled).equals("canceled"));
    assertThat(activity(canceled).getString("result_text")).contains("depends on failed");
    eventually(20, () -> status(released).equals("succeeded"));
  }

  /** Verifies that a progress threshold releases a dependent while the dependency still runs. */
  @Test
  void aProgressThresholdReleasesEarly() throws Exception {
    // other tests move the shared clock by hours: this one must not time out meanwhile
    long running = create(pocket("progress").put("execution_timeout", 10_000_000));
    long dependent = create(archive().put("depends_on", running).put("progress_threshold", 50));
    assertThat(PROGRESS_REPORTED.await(20, TimeUnit.SECONDS)).isTrue();

    eventually(20, () -> status(dependent).equals("succeeded"));
    assertThat(status(running)).isEqualTo("in-progress");
    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(running)));
  }

  /**
   * Verifies approvals: a type the account's policy lists starts Blocked; approve queues it (or
   * makes it wait on an unmet dependency); hold sends a Queued one back; events name who did it.
   */
  @Test
  void approvalPolicyApproveAndHold() {
    ProtocolClient agent = ProtocolClient.registered(fx, "approve-1");
    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/account")
            .sendJsonObject(
                new JsonObject().put("approval_types", new JsonArray().add("LockUserRequest"))));
    JsonObject lock =
        new JsonObject()
            .put("type", "LockUserRequest")
            .put("computer_ids", new JsonArray().add(agent.insecureId))
            .put("parameters", new JsonObject().put("username", "eve"));
    long blocked = create(lock);
    long blocker = create(archive().put("requires_approval", true));
    long dependent = create(lock.copy().put("depends_on", blocker));
    assertThat(status(blocked)).isEqualTo("blocked");
    assertThat(status(dependent)).isEqualTo("blocked");

    fx.post(
        "/activities/approve",
        new JsonObject().put("ids", new JsonArray().add(blocked).add(dependent)));
    assertThat(status(blocked)).isEqualTo("queued");
    assertThat(status(dependent)).isEqualTo("waiting");

    JsonObject held =
        fx.post("/activities/hold", new JsonObject().put("ids", new JsonArray().add(blocked)))
            .bodyAsJsonObject();
    assertThat(held.getJsonArray("applied")).hasSize(1);
    assertThat(status(blocked)).isEqualTo("blocked");
    JsonArray log =
        fx.get("/activities/" + blocked + "/events").bodyAsJsonObject().getJsonArray("results");
    assertThat(log.getJsonObject(1).getString("reason")).isEqualTo("approved");
    assertThat(log.getJsonObject(2).getString("reason")).isEqualTo("held");
    assertThat(log.getJsonObject(2).getString("actor")).isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/account")
            .sendJsonObject(new JsonObject().put("approval_types", new JsonArray())));
  }

  /** Verifies max_concurrency: at most that many children in progress; a result makes room. */
  @Test
  void maxConcurrencyLimitsChildrenInProgress() {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "conc", 4);
    JsonObject group =
        fx.post("/activities", ProtocolClient.scriptFor(agents).put("max_concurrency", 2))
            .bodyAsJsonObject();
    assertThat(group.getInteger("max_concurrency")).isEqualTo(2);

    long delivered =
        agents.stream().filter(a -> !a.exchange(List.of()).mapList("messages").isEmpty()).count();
    assertThat(delivered).isEqualTo(2);
    assertThat(children(group.getLong("id"), "in-progress")).isEqualTo(2);

    ProtocolClient done =
        agents.stream()
            .filter(a -> children(group.getLong("id"), "in-progress", a.insecureId) == 1)
            .findFirst()
            .orElseThrow();
    long doneId = childOf(group.getLong("id"), done.insecureId);
    done.exchange(List.of(ProtocolClient.result(doneId, 6, 0, "ok")));
    long more =
        agents.stream().filter(a -> !a.exchange(List.of()).mapList("messages").isEmpty()).count();
    assertThat(more).isEqualTo(1);
  }

  /**
   * Verifies max_errors: once exceeded, the undelivered children are canceled as error-threshold.
   */
  @Test
  void maxErrorsCancelsTheRest() {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "errs", 4);
    long group =
        fx.post(
                "/activities",
                ProtocolClient.scriptFor(agents).put("max_concurrency", 1).put("max_errors", "25%"))
            .bodyAsJsonObject()
            .getLong("id");

    for (int round = 0; round < 2; round++) {
      for (ProtocolClient agent : agents) {
        for (WireMap m : agent.exchange(List.of()).mapList("messages")) {
          agent.exchange(List.of(ProtocolClient.result(m.integer("operation-id"), 5, 103, "x")));
        }
      }
    }

    eventually(20, () -> children(group, "canceled") == 2);
    assertThat(children(group, "failed")).isEqualTo(2);
    assertThat(
            fx.get("/activities/" + group).bodyAsJsonObject().getJsonArray("children").stream()
                .map(c -> (JsonObject) c)
                .filter(c -> c.getString("status").equals("canceled")))
        .allSatisfy(c -> assertThat(c.getString("result_text")).startsWith("error-threshold"));
  }

  private static long children(long group, String status) {
    return childrenOf(group).stream().filter(c -> c.getString("status").equals(status)).count();
  }

  private static long children(long group, String status, long computer) {
    return childrenOf(group).stream()
        .filter(c -> c.getString("status").equals(status) && c.getLong("computer_id") == computer)
        .count();
  }

  private static long childOf(long group, long computer) {
    return childrenOf(group).stream()
        .filter(c -> c.getLong("computer_id") == computer)
        .findFirst()
        .orElseThrow()
        .getLong("id");
  }

  private static List<JsonObject> childrenOf(long group) {
    return fx.get("/activities/" + group).bodyAsJsonObject().getJsonArray("children").stream()
        .map(c -> (JsonObject) c)
        .toList();
  }

  private static JsonObject script(ProtocolClient agent) {
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", new JsonArray().add(agent.insecureId))
        .put("parameters", new JsonObject().put("code", "true"));
  }

  private static JsonObject archive() {
    return new JsonObject()
        .put("type", "ArchiveRequest")
        .put("parameters", new JsonObject().put("older_than_days", 36500));
  }

  private static JsonObject pocket(String mode) {
    return new JsonObject()
        .put("type", "SyncPocketRequest")
        .put("parameters", new JsonObject().put("source_url", "/nowhere").put("pocket", mode));
  }

  private static long create(JsonObject request) {
    var response = fx.post("/activities", request);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }

  private static Instant later(int minutes) {
    return fx.clock.instant().plus(Duration.ofMinutes(minutes));
  }

  private static void advance(Duration by) {
    fx.clock.set(fx.clock.instant().plus(by));
  }

  private static JsonObject activity(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject();
  }

  private static String status(long id) {
    return activity(id).getString("status");
  }

  private static List<String> events(long id) {
    return fx
        .get("/activities/" + id + "/events")
        .bodyAsJsonObject()
        .getJsonArray("results")
        .stream()
        .map(e -> ((JsonObject) e).getString("to"))
        .toList();
  }
}
