package dev.outpost.server.channel;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every path that makes a client activity deliverable nudges its computer through the database
 * (migration V16, the scheduler), read here as the notices any server would hear: creation,
 * approval, a scheduled time come, a dependency released, reapply, a group's limit freed; and a
 * cancel of a running activity.
 */
@ExtendWith(VertxExtension.class)
class NudgePathsTest {

  private static ServerFixture fx;
  private static PgConnection listener;
  private static final Set<Long> nudged = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    listener = await(PgConnection.connect(vertx, TestSupport.database()));
    listener.notificationHandler(
        notice -> {
          if (notice.getChannel().equals(Channels.CHANNEL)) {
            for (String id : notice.getPayload().split(",")) {
              nudged.add(Long.parseLong(id));
            }
          }
        });
    await(listener.query("LISTEN " + Channels.CHANNEL).execute());
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    await(listener.close());
    fx.close();
  }

  @BeforeEach
  void forget() {
    nudged.clear();
  }

  private static void awaitNudged(long computer) {
    eventually(20, () -> nudged.contains(computer));
  }

  private static long create(JsonObject request) {
    JsonObject created = fx.post("/activities", request).bodyAsJsonObject();
    return created.getLong("id");
  }

  /** Verifies that creating a client activity nudges its computer. */
  @Test
  void creation() {
    ProtocolClient computer = ProtocolClient.registered(fx, "created");

    create(TestSupport.script(computer.insecureId));

    awaitNudged(computer.insecureId);
  }

  /** Verifies that approving a Blocked activity nudges its computer. */
  @Test
  void approval() {
    ProtocolClient computer = ProtocolClient.registered(fx, "approved");
    long id = create(TestSupport.script(computer.insecureId).put("requires_approval", true));
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("status"))
        .isEqualTo("blocked");

    fx.post("/activities/approve", new JsonObject().put("ids", new JsonArray().add(id)));

    awaitNudged(computer.insecureId);
  }

  /**
   * Verifies that a Scheduled activity's computer is nudged when its time comes: nothing is written
   * then, so the scheduler's sweep nudges it.
   */
  @Test
  void scheduledTimeCome() {
    ProtocolClient computer = ProtocolClient.registered(fx, "scheduled");
    long id =
        create(
            TestSupport.script(computer.insecureId)
                .put("deliver_after", fx.clock.instant().plus(Duration.ofHours(1)).toString()));
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("status"))
        .isEqualTo("scheduled");

    fx.clock.advance(Duration.ofHours(2));

    awaitNudged(computer.insecureId);
  }

  /** Verifies that an activity released by its dependency's end nudges its computer. */
  @Test
  void dependencyReleased() {
    ProtocolClient first = ProtocolClient.registered(fx, "depended-on");
    ProtocolClient second = ProtocolClient.registered(fx, "depending");
    long dependency = create(TestSupport.script(first.insecureId));
    long waiting =
        create(
            TestSupport.script(second.insecureId)
                .put("depends_on", dependency)
                .put("on_dependency_failure", "run"));
    assertThat(fx.get("/activities/" + waiting).bodyAsJsonObject().getString("status"))
        .isEqualTo("waiting");

    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(dependency)));

    awaitNudged(second.insecureId);
  }

  /** Verifies that reapplying an activity nudges its computer. */
  @Test
  void reapply() {
    ProtocolClient computer = ProtocolClient.registered(fx, "reapplied");
    long id = create(TestSupport.script(computer.insecureId));
    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));
    awaitNudged(computer.insecureId);
    nudged.clear();

    assertThat(fx.post("/activities/reapply", new JsonObject().put("id", id)).statusCode())
        .isEqualTo(201);

    awaitNudged(computer.insecureId);
  }

  /**
   * Verifies that a result freeing a slot of a group with a concurrency limit nudges the computer
   * of a child still waiting for it, and that canceling a running activity nudges its computer.
   */
  @Test
  void groupLimitFreedAndRunningCanceled() {
    List<ProtocolClient> computers = ProtocolClient.registered(fx, "limited", 2);
    JsonObject request =
        ProtocolClient.scriptFor(computers).put("max_concurrency", 1).put("summary", "limited");
    create(request);
    awaitNudged(computers.get(0).insecureId);
    WireMap answer = computers.get(0).exchange(List.of());
    long delivered = operationId(answer);
    nudged.clear();

    computers.get(0).exchange(List.of(ProtocolClient.result(delivered, 6, 0, "done")));

    awaitNudged(computers.get(1).insecureId);
    long running = operationId(computers.get(1).exchange(List.of()));
    nudged.clear();

    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(running)));

    awaitNudged(computers.get(1).insecureId);
  }

  private static long operationId(WireMap answer) {
    return answer.mapList("messages").stream()
        .filter(m -> m.has("operation-id"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("nothing was delivered: " + answer))
        .integer("operation-id");
  }
}
