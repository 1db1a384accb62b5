package dev.outpost.agent;

import static dev.outpost.server.TestSupport.await;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ScriptUsers;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A whole server on a random port with its account, and real agents pointed at it, with intervals
 * short enough for tests. Tests wait for outcomes, never for a time.
 */
public final class AgentFixture implements AutoCloseable {

  /** How long a test waits for an outcome before failing. */
  public static final Duration PATIENCE = Duration.ofSeconds(60);

  private static final Set<String> FINAL = Set.of("succeeded", "failed", "canceled");

  public final ServerFixture server;
  private final Vertx vertx;
  private final List<AgentVerticle> running = new CopyOnWriteArrayList<>();

  /** Starts a server on the given Vert.x; call from the test thread. */
  public AgentFixture(Vertx vertx) {
    this(vertx, Map.of());
  }

  /** Starts a server with extra {@code OUTPOST_*} settings. */
  public AgentFixture(Vertx vertx, Map<String, String> env) {
    this.vertx = vertx;
    this.server = new ServerFixture(vertx, env, Map.of());
  }

  /** The server's exchange URL. */
  public String exchangeUrl() {
    return "http://127.0.0.1:" + server.server.httpPort() + "/message-system";
  }

  /** The options a real agent of this server runs with: intervals shortened, scripts as anyone. */
  public List<String> arguments(Path dataDir, String title) {
    return List.of(
        "--server-url",
        exchangeUrl(),
        "--account-name",
        server.accountName,
        "--registration-key",
        server.registrationKey,
        "--computer-title",
        title,
        "--data-dir",
        dataDir.toString(),
        "--exchange-interval",
        "500ms",
        "--urgent-exchange-interval",
        "50ms",
        "--ping-interval",
        "200ms",
        "--backoff-min",
        "50ms",
        "--backoff-max",
        "500ms",
        "--request-timeout",
        "10s",
        "--script-users",
        "ALL");
  }

  /** A real agent's configuration, talking to the given exchange URL; scripts run as anyone. */
  public AgentConfig config(Path dataDir, String title, String exchangeUrl) {
    return config(dataDir, title, exchangeUrl, ScriptUsers.ALL);
  }

  /** A real agent's configuration, its scripts run only as the users given. */
  public AgentConfig config(
      Path dataDir, String title, String exchangeUrl, ScriptUsers scriptUsers) {
    return new AgentConfig(
        ServerUrls.of(exchangeUrl, Optional.empty()),
        server.accountName,
        Optional.of(server.registrationKey),
        title,
        title + ".test",
        Optional.empty(),
        dataDir,
        new Intervals(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(200)),
        Duration.ofMillis(50),
        Duration.ofMillis(500),
        Duration.ofSeconds(10),
        false,
        false,
        scriptUsers,
        true,
        ServerTrust.SYSTEM,
        false);
  }

  /** A real agent's configuration, talking to the server directly. */
  public AgentConfig config(Path dataDir, String title) {
    return config(dataDir, title, exchangeUrl());
  }

  /** Starts a real agent and waits until it registered; returns it. */
  public AgentVerticle start(AgentConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** Starts a real agent reading the time from {@code clock}, once it registered. */
  public AgentVerticle start(AgentConfig config, Clock clock) {
    AgentVerticle agent = new AgentVerticle(config, clock);
    await(vertx.deployVerticle(agent));
    running.add(agent);
    await().atMost(PATIENCE).until(() -> agent.agent().protocol().identity().isPresent());
    return agent;
  }

  /** The computer id of a registered agent. */
  public static long computerOf(AgentVerticle agent) {
    return agent.agent().protocol().identity().orElseThrow().insecureId();
  }

  /** Creates an activity for one computer; returns its id. */
  public long activity(String type, long computerId, JsonObject parameters) {
    JsonObject created =
        server
            .post(
                "/activities",
                new JsonObject()
                    .put("type", type)
                    .put("computer_ids", new JsonArray().add(computerId))
                    .put("parameters", parameters))
            .bodyAsJsonObject();
    return created.getLong("id");
  }

  /** Creates an ExecuteScriptRequest; returns its id. */
  public long script(long computerId, String code, int timeLimitSeconds) {
    return activity(
        "ExecuteScriptRequest",
        computerId,
        new JsonObject().put("code", code).put("time_limit", timeLimitSeconds));
  }

  /** The activity, once it is final. */
  public JsonObject awaitFinal(long activityId) {
    return await()
        .atMost(PATIENCE)
        .until(() -> activity(activityId), a -> FINAL.contains(a.getString("status")));
  }

  /** The activity as the admin API shows it. */
  public JsonObject activity(long activityId) {
    return server.get("/activities/" + activityId).bodyAsJsonObject();
  }

  /** Its transition log, as "from->to" strings. */
  public List<String> transitions(long activityId) {
    JsonArray events =
        server
            .get("/activities/" + activityId + "/events")
            .bodyAsJsonObject()
            .getJsonArray("results");
    return events.stream()
        .map(JsonObject.class::cast)
        .map(e -> e.getString("from") + "->" + e.getString("to"))
        .toList();
  }

  /** Stops an agent gracefully. */
  public void stop(AgentVerticle agent) {
    if (running.remove(agent)) {
      await(vertx.undeploy(agent.deploymentID()));
    }
  }

  /** Stops the agents this fixture started, gracefully. */
  public void stopAgents() {
    running.forEach(this::stop);
  }

  @Override
  public void close() {
    stopAgents();
    server.close();
  }
}
