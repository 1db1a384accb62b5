package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle's ways in and out for client activities, with a real agent running them. */
@ExtendWith(VertxExtension.class)
class LifecycleWithAgentTest {

  private static AgentFixture fx;
  private static long computer;

  @TempDir static Path dataDir;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx, Map.of("OUTPOST_SWEEP_INTERVAL_MS", "50"));
    computer = AgentFixture.computerOf(fx.start(fx.config(dataDir, "lifecycle-agent")));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a Scheduled script is not run while its time has not come, even though the agent
   * exchanges, and runs once it has.
   */
  @Test
  void aScheduledScriptRunsAtItsTime() {
    long later =
        create(
            script("echo later")
                .put(
                    "deliver_after",
                    fx.server.clock.instant().plus(Duration.ofHours(1)).toString()));
    long now = create(script("echo now"));

    assertThat(fx.awaitFinal(now).getString("status")).isEqualTo("succeeded");
    assertThat(fx.activity(later).getString("status")).isEqualTo("scheduled");

    fx.server.clock.set(fx.server.clock.instant().plus(Duration.ofMinutes(61)));

    JsonObject ran = fx.awaitFinal(later);
    assertThat(ran.getString("status")).isEqualTo("succeeded");
    assertThat(ran.getString("result_text")).contains("later");
    assertThat(fx.transitions(later))
        .containsExactly("null->scheduled", "scheduled->in-progress", "in-progress->succeeded");
  }

  /** Verifies that a script depending on another runs only after that one succeeded. */
  @Test
  void aDependentScriptRunsAfterItsDependency(@TempDir Path scratch) {
    Path log = scratch.resolve("order.log");
    long first = create(script("sleep 1; echo first >> " + log));
    long second = create(script("echo second >> " + log).put("depends_on", first));

    assertThat(fx.awaitFinal(second).getString("status")).isEqualTo("succeeded");
    assertThat(fx.activity(first).getString("status")).isEqualTo("succeeded");
    assertThat(log).hasContent("first\nsecond");
    assertThat(fx.transitions(second))
        .containsExactly(
            "null->waiting", "waiting->queued", "queued->in-progress", "in-progress->succeeded");
  }

  /**
   * Verifies that a script canceled while it runs ends Canceled, that the agent stops it, and that
   * the agent's result, arriving later and saying so, is recorded on it.
   */
  @Test
  void aScriptCanceledWhileRunningKeepsItsLateResult() {
    long id = create(script("sleep 2; echo finished anyway"));
    org.awaitility.Awaitility.await()
        .atMost(AgentFixture.PATIENCE)
        .until(() -> fx.activity(id).getString("status").equals("in-progress"));

    fx.server.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    org.awaitility.Awaitility.await()
        .atMost(AgentFixture.PATIENCE)
        .until(() -> fx.activity(id).getString("result_text") != null);
    JsonObject canceled = fx.activity(id);
    assertThat(canceled.getString("status")).isEqualTo("canceled");
    assertThat(canceled.getString("result_text"))
        .contains("canceled by the server")
        .doesNotContain("finished anyway");
  }

  private static JsonObject script(String code) {
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", new JsonArray().add(computer))
        .put("parameters", new JsonObject().put("code", code).put("time_limit", 60));
  }

  private static long create(JsonObject request) {
    var response = fx.server.post("/activities", request);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }
}
