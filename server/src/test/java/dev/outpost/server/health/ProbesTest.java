package dev.outpost.server.health;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ProbesTest {

  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "outpost.json");

  /**
   * Verifies the probes of the HTTP front and the backlog's gauges. GIVEN a server with a client
   * activity delivered to its agent, WHEN the clock passes the result deadline, THEN /health/live
   * and /health/ready answer 200 with every part ok, and /metrics shows the activity in progress
   * and stale, and the outbox's, the scheduler's and the quarantine's gauges.
   */
  @Test
  void theFrontAnswersItsProbesAndShowsTheBacklog(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      ProtocolClient agent = ProtocolClient.registered(fx, "probed");
      fx.post("/activities", script(agent.insecureId));
      agent.exchange(List.of());
      fx.clock.advance(Duration.ofSeconds(fx.config.resultDeadlineSeconds() + 1));

      var live = await(fx.http.get("/health/live").send());
      var ready = await(fx.http.get("/health/ready").send());
      String metrics = await(fx.http.get("/metrics").send()).bodyAsString();

      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "ok"));
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.bodyAsJsonObject())
          .isEqualTo(
              new JsonObject()
                  .put("status", "ok")
                  .put("database", "ok")
                  .put("migrations", "ok")
                  .put("broker", "ok"));
      assertThat(gauge(metrics, "outpost_activities_in_progress")).isGreaterThanOrEqualTo(1);
      assertThat(gauge(metrics, "outpost_stale_activities")).isGreaterThanOrEqualTo(1);
      assertThat(metrics)
          .containsPattern("(?m)^outpost_outbox_depth [0-9.]+$")
          .containsPattern("(?m)^outpost_outbox_age_seconds [0-9.]+$")
          .containsPattern("(?m)^outpost_scheduler_lag_seconds [0-9.]+$")
          .containsPattern("(?m)^outpost_quarantined_messages_kept [0-9.]+$");
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /**
   * Verifies the activities-by-status gauges and the finished counter. GIVEN a server with an
   * activity Blocked (awaiting approval) and one Queued for an agent, WHEN they are counted, the
   * blocked one is canceled and the metrics are read again past the gauges' interval, THEN
   * outpost_activities shows each state with its activity and outpost_activity_transitions_total
   * counts the cancel once it is committed, under to="canceled".
   */
  @Test
  void activitiesAreCountedByStatusAndFinishedOnesByFinalState(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      ProtocolClient agent = ProtocolClient.registered(fx, "counted");
      fx.post("/activities", script(agent.insecureId));
      long blocked =
          fx.post(
                  "/activities",
                  new JsonObject()
                      .put("type", "ArchiveRequest")
                      .put("parameters", new JsonObject().put("older_than_days", 3650))
                      .put("requires_approval", true))
              .bodyAsJsonObject()
              .getLong("id");
      String before = await(fx.http.get("/metrics").send()).bodyAsString();
      double canceledBefore =
          labelled(before, "outpost_activity_transitions_total", "to", "canceled");

      fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(blocked)));
      double canceled = canceledBefore;
      String after = before;
      for (int tries = 0; tries < 60 && canceled <= canceledBefore; tries++) {
        fx.clock.advance(Backlog.INTERVAL.plusSeconds(1));
        after = await(fx.http.get("/metrics").send()).bodyAsString();
        canceled = labelled(after, "outpost_activity_transitions_total", "to", "canceled");
        if (canceled <= canceledBefore) {
          await(vertx.timer(500));
        }
      }

      assertThat(labelled(before, "outpost_activities", "status", "queued"))
          .isGreaterThanOrEqualTo(1);
      assertThat(labelled(before, "outpost_activities", "status", "blocked"))
          .isGreaterThanOrEqualTo(1);
      for (String status : List.of("scheduled", "waiting", "in-progress")) {
        assertThat(labelled(before, "outpost_activities", "status", status))
            .isGreaterThanOrEqualTo(0);
      }
      assertThat(canceled).isGreaterThanOrEqualTo(canceledBefore + 1);
      assertThat(labelled(after, "outpost_activity_transitions_total", "to", "succeeded"))
          .isGreaterThanOrEqualTo(0);
      assertThat(labelled(after, "outpost_activity_transitions_total", "to", "failed"))
          .isGreaterThanOrEqualTo(0);
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /**
   * Verifies that every answer carries its request's id: the one a proxy set when it is a plain
   * token, else one made here.
   */
  @Test
  void answersCarryTheRequestsId(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      var given = await(fx.http.get("/health/live").putHeader("X-Request-Id", "lb-42.a").send());
      var made = await(fx.http.get("/health/live").send());
      var refused =
          await(fx.http.get("/health/live").putHeader("X-Request-Id", "a b\u00e9").send());

      assertThat(given.getHeader("X-Request-Id")).isEqualTo("lb-42.a");
      assertThat(made.getHeader("X-Request-Id")).matches("[0-9a-f]{16}");
      assertThat(refused.getHeader("X-Request-Id")).matches("[0-9a-f]{16}");
    }
  }

  /**
   * Verifies that the Grafana dashboard draws only metrics the server exposes. GIVEN a server that
   * answered an exchange, WHEN its metrics are scraped, THEN every outpost_ metric the dashboard's
   * queries name is among them.
   */
  @Test
  void theDashboardNamesOnlyMetricsTheServerExposes(Vertx vertx) throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    TreeSet<String> named = new TreeSet<>();
    Pattern metric = Pattern.compile("outpost_[a-z0-9_]+");
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        Matcher names = metric.matcher(((JsonObject) target).getString("expr"));
        while (names.find()) {
          named.add(names.group());
        }
      }
    }
    try (ServerFixture fx = new ServerFixture(vertx)) {
      ProtocolClient agent = ProtocolClient.registered(fx, "drawn");
      agent.exchange(List.of());

      String metrics = await(fx.http.get("/metrics").send()).bodyAsString();

      assertThat(named).hasSizeGreaterThan(10);
      assertThat(named)
          .allSatisfy(
              name ->
                  assertThat(metrics)
                      .as("the dashboard's %s", name)
                      .containsPattern("(?m)^" + name + "[{ ]"));
    }
  }

  /**
   * Verifies that the job-handler role, which has no HTTP front, serves its probes and metrics on a
   * port of its own, and nothing else there.
   */
  @Test
  void theJobHandlerServesProbesAndMetricsOnItsOwnPort(Vertx vertx) {
    String queue = TestSupport.unique("outpost.test.jobs");
    ServerConfig config =
        ServerConfig.fromEnv(
            Map.of(
                "OUTPOST_ROLE",
                "job-handler",
                "OUTPOST_HEALTH_PORT",
                "0",
                "OUTPOST_JOBS_QUEUE",
                queue,
                "OUTPOST_HOME",
                System.getProperty("java.io.tmpdir")));
    OutpostServer server =
        await(
            OutpostServer.start(
                vertx,
                TestSupport.database(),
                TestSupport.amqpUrl(),
                config,
                java.time.Clock.systemUTC(),
                Map.of()));
    try {
      WebClient http = WebClient.create(vertx);
      int port = server.healthPort();

      assertThat(port).isPositive();
      assertThat(await(http.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
      assertThat(await(http.get(port, "127.0.0.1", "/health/live").send()).statusCode())
          .isEqualTo(200);
      var ready = await(http.get(port, "127.0.0.1", "/health/ready").send());
      assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
      assertThat(await(http.get(port, "127.0.0.1", "/metrics").send()).bodyAsString())
          .contains("outpost_jobs_finished_total");
      assertThat(await(http.get(port, "127.0.0.1", "/api/v2/activities").send()).statusCode())
          .isEqualTo(404);
    } finally {
      await(server.close());
      TestSupport.deleteQueueIfUnused(queue);
    }
  }

  /**
   * Verifies that readiness names what is missing, with a fixed body: a broker not connected, a
   * schema without this server's migrations, a database that does not answer.
   */
  @Test
  void readinessNamesWhatIsMissing(Vertx vertx) {
    assertThat(ready(vertx, Future.succeededFuture(true), false))
        .isEqualTo(
            new JsonObject()
                .put("status", "unavailable")
                .put("database", "ok")
                .put("migrations", "ok")
                .put("broker", "unavailable"));
    assertThat(ready(vertx, Future.succeededFuture(false), true))
        .isEqualTo(
            new JsonObject()
                .put("status", "unavailable")
                .put("database", "ok")
                .put("migrations", "pending")
                .put("broker", "ok"));
    assertThat(ready(vertx, Future.failedFuture("refused"), true))
        .isEqualTo(
            new JsonObject()
                .put("status", "unavailable")
                .put("database", "unavailable")
                .put("migrations", "unknown")
                .put("broker", "ok"));
  }

  private static JsonObject ready(Vertx vertx, Future<Boolean> schema, boolean broker) {
    Health health = new Health(() -> schema, () -> broker);
    int[] port = new int[1];
    String deployment =
        await(
            vertx.deployVerticle(
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    Router router = Router.router(vertx);
                    health.mount(router);
                    return vertx
                        .createHttpServer()
                        .requestHandler(router)
                        .listen(0)
                        .onSuccess(server -> port[0] = server.actualPort());
                  }
                }));
    try {
      var response =
          await(WebClient.create(vertx).get(port[0], "127.0.0.1", "/health/ready").send());
      assertThat(response.statusCode()).isEqualTo(503);
      return response.bodyAsJsonObject();
    } finally {
      await(vertx.undeploy(deployment));
    }
  }

  private static double labelled(String metrics, String name, String label, String value) {
    Matcher found =
        Pattern.compile(
                "(?m)^"
                    + name
                    + "\\{(?:[^}]*,)?"
                    + label
                    + "=\""
                    + Pattern.quote(value)
                    + "\"[^}]*\\} ([0-9.E+-]+)$")
            .matcher(metrics);
    assertThat(found.find()).as("%s{%s=%s} in the metrics", name, label, value).isTrue();
    return Double.parseDouble(found.group(1));
  }

  private static double gauge(String metrics, String name) {
    Matcher value = Pattern.compile("(?m)^" + name + " ([0-9.E+-]+)$").matcher(metrics);
    assertThat(value.find()).as("%s in the metrics", name).isTrue();
    return Double.parseDouble(value.group(1));
  }
}
