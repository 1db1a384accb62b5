package dev.outpost.agent.simulate;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.AgentFixture;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.handlers.Latency;
import dev.outpost.agent.handlers.SimulatedHandler;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Simulated agents against a real server. */
@ExtendWith(VertxExtension.class)
class FleetTest {

  private static AgentFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that 200 simulated agents in one process all register, and that activities created for
   * all of them come back answered.
   */
  @Test
  void simulatedAgentsRegisterAndAnswerTheirActivities(Vertx vertx) {
    String prefix = TestSupport.unique("sim");
    Fleet fleet = await(Fleet.start(vertx, config(prefix, 200, 0), Clock.systemUTC()));
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> fleet.stats().agentsRegistered() == 200);
      List<Long> computers = computers(prefix);
      assertThat(computers).hasSize(200);

      long scripts =
          group("ExecuteScriptRequest", computers, new JsonObject().put("code", "uptime"));
      long snaps =
          group(
              "InstallSnaps",
              computers,
              new JsonObject()
                  .put("snaps", new JsonArray().add(new JsonObject().put("name", "hello"))));

      for (long group : List.of(scripts, snaps)) {
        JsonObject done = fx.awaitFinal(group);
        assertThat(done.getString("status")).isEqualTo("succeeded");
        assertThat(done.getJsonArray("children"))
            .hasSize(200)
            .allSatisfy(
                child ->
                    assertThat(((JsonObject) child).getString("result_text"))
                        .startsWith("simulated: would have"));
      }
      assertThat(fleet.stats().answered()).isEqualTo(400);
      assertThat(fleet.progressLine(0)).contains("registered 200/200");
    } finally {
      await(fleet.stop());
    }
  }

  /**
   * Verifies that simulated agents keep channels and are nudged over them: agents that exchange and
   * ping only every hour run a script created after they registered, and send its result at once
   * although their handler answers before the exchange that brought it has finished.
   */
  @Test
  void simulatedAgentsAreNudgedOverTheirChannels(Vertx vertx) {
    String prefix = TestSupport.unique("sim");
    Fleet fleet =
        await(
            Fleet.start(
                vertx,
                config(
                    prefix,
                    3,
                    0,
                    new Intervals(Duration.ofHours(1), Duration.ofMillis(50), Duration.ofHours(1)),
                    Duration.ZERO),
                Clock.systemUTC()));
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> fleet.stats().agentsRegistered() == 3);
      List<Long> computers = computers(prefix);
      await()
          .atMost(AgentFixture.PATIENCE)
          .until(() -> computers.stream().allMatch(fx.server.server.channels()::holds));

      long scripts = group("ExecuteScriptRequest", computers, new JsonObject().put("code", "id"));

      assertThat(fx.awaitFinal(scripts).getString("status")).isEqualTo("succeeded");
    } finally {
      await(fleet.stop());
    }
  }

  /** Verifies that the failure rate makes simulated operations fail. */
  @Test
  void failsOperationsAtTheConfiguredRate(Vertx vertx) {
    String prefix = TestSupport.unique("sim");
    Fleet fleet = await(Fleet.start(vertx, config(prefix, 5, 1.0), Clock.systemUTC()));
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> fleet.stats().agentsRegistered() == 5);

      long packages =
          group(
              "ChangePackagesRequest",
              computers(prefix),
              new JsonObject().put("install", new JsonArray().add("nginx")));

      JsonObject done = fx.awaitFinal(packages);
      assertThat(done.getString("status")).isEqualTo("failed");
      assertThat(done.getJsonArray("children"))
          .hasSize(5)
          .allSatisfy(
              child -> assertThat(((JsonObject) child).getString("status")).isEqualTo("failed"));
    } finally {
      await(fleet.stop());
    }
  }

  private static FleetConfig config(String prefix, int agents, double failureRate) {
    return config(
        prefix,
        agents,
        failureRate,
        new Intervals(Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2)),
        Duration.ofMillis(50));
  }

  private static FleetConfig config(
      String prefix, int agents, double failureRate, Intervals intervals, Duration latency) {
    return FleetConfigBuilder.fleet(fx, prefix, agents)
        .intervals(intervals)
        .rampUp(Duration.ofSeconds(2))
        .scenario(
            Scenario.plain(
                new SimulatedHandler.Profile(
                    new Latency.Uniform(Duration.ZERO, latency.multipliedBy(2)), failureRate, 0)))
        .withChannels()
        .build();
  }

  private static List<Long> computers(String prefix) {
    JsonArray all =
        fx.server.get("/computers?limit=1000").bodyAsJsonObject().getJsonArray("results");
    return all.stream()
        .map(JsonObject.class::cast)
        .filter(c -> c.getString("title").startsWith(prefix + "-"))
        .map(c -> c.getLong("id"))
        .toList();
  }

  private static long group(String type, List<Long> computers, JsonObject parameters) {
    return fx.server
        .post(
            "/activities",
            new JsonObject()
                .put("type", type)
                .put("computer_ids", new JsonArray(List.copyOf(computers)))
                .put("parameters", parameters))
        .bodyAsJsonObject()
        .getLong("id");
  }
}
