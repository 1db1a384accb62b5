package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The built-in server activity handlers, end to end through RabbitMQ and the job-handler. */
@ExtendWith(VertxExtension.class)
class HandlersTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that ArchiveRequest moves finished activities older than the cutoff, whole groups with
   * them, and that they stay readable while unfinished ones stay live; the computers' registration
   * events of before the cutoff leave the event log, later ones stay.
   */
  @Test
  void archiveMovesOldFinishedActivities() {
    long a = fx.computer("arch-a");
    long b = fx.computer("arch-b");
    JsonObject group = fx.post("/activities", script(a, b)).bodyAsJsonObject();
    long groupId = group.getLong("id");
    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(groupId)));
    long live = fx.post("/activities", script(a)).bodyAsJsonObject().getLong("id");
    fx.clock.set(fx.clock.instant().plus(Duration.ofDays(10)));
    long recent = fx.computer("arch-recent");

    long archive =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ArchiveRequest")
                    .put("parameters", new JsonObject().put("older_than_days", 5)))
            .bodyAsJsonObject()
            .getLong("id");

    eventually(20, () -> status(archive).equals("succeeded"));
    assertThat(fx.get("/activities/" + archive).bodyAsJsonObject().getString("result_text"))
        .startsWith("archived ")
        .contains("finished before 2030-01-06T00:00:00Z");
    assertThat(computerEvents(a)).isZero();
    assertThat(computerEvents(b)).isZero();
    assertThat(computerEvents(recent)).isEqualTo(1);
    JsonObject kept = fx.get("/activities/" + groupId).bodyAsJsonObject();
    assertThat(kept.getString("status")).isEqualTo("canceled");
    assertThat(kept.getJsonArray("children")).hasSize(2);
    long child = group.getJsonArray("children").getJsonObject(0).getLong("id");
    assertThat(
            fx.get("/activities/" + child + "/events").bodyAsJsonObject().getJsonArray("results"))
        .extracting(e -> ((JsonObject) e).getString("to"))
        .containsExactly("queued", "canceled");
    assertThat(ids("/activities?query=computer-id:" + a)).contains(live).doesNotContain(child);
    assertThat(ids("/activities?archived=true")).contains(groupId);
    assertThat(status(live)).isEqualTo("queued");
  }

  private static long computerEvents(long computer) {
    return await(
            fx.server
                .pool()
                .preparedQuery("SELECT count(*) FROM computer_events WHERE computer_id = $1")
                .execute(Tuple.of(computer)))
        .iterator()
        .next()
        .getLong(0);
  }

  /**
   * Verifies that GenerateUsgReportActivity writes CSV and JSON reports the API serves to the
   * account only.
   */
  @Test
  void usgReportIsServedToItsAccount(Vertx vertx) {
    long computer = fx.computer("usg-1");
    JsonObject audit =
        new JsonObject()
            .put("type", "usg-audit")
            .put("profile", "cis_level1")
            .put(
                "results",
                new JsonArray()
                    .add(new JsonObject().put("rule", "1.1.1").put("result", "pass"))
                    .add(new JsonObject().put("rule", "=cmd|calc").put("result", "fail")));
    await(
        fx.server
            .pool()
            .preparedQuery(
                """
            INSERT INTO client_messages (computer_id, type, body, received_at)
            VALUES ($1, 'usg-audit', $2, $3)
            """)
            .execute(Tuple.of(computer, audit, fx.clock.instant().atOffset(ZoneOffset.UTC))));

    long id =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "GenerateUsgReportActivity")
                    .put(
                        "parameters",
                        new JsonObject().put("computer_ids", new JsonArray().add(computer))))
            .bodyAsJsonObject()
            .getLong("id");

    eventually(20, () -> status(id).equals("succeeded"));
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("result_text"))
        .contains("/api/v2/reports/" + id + ".csv");
    String csv = fx.get("/reports/" + id + ".csv").bodyAsString();
    assertThat(csv.lines())
        .hasSize(3)
        .anySatisfy(line -> assertThat(line).endsWith(",cis_level1,1.1.1,pass"))
        .anySatisfy(line -> assertThat(line).endsWith(",'=cmd|calc,fail"));
    JsonArray json = fx.get("/reports/" + id + ".json").bodyAsJsonArray();
    assertThat(json.getJsonObject(0).getString("title")).isEqualTo("usg-1");
    try (ServerFixture other = new ServerFixture(vertx)) {
      assertThat(other.get("/reports/" + id + ".csv").statusCode()).isEqualTo(404);
    }
    assertThat(fx.get("/reports/../../etc.csv").statusCode()).isEqualTo(404);
  }

  private static JsonObject script(long... computers) {
    JsonArray ids = new JsonArray();
    for (long c : computers) {
      ids.add(c);
    }
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", ids)
        .put("parameters", new JsonObject().put("code", "true"));
  }

  private static String status(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }

  private static List<Long> ids(String path) {
    return fx.get(path).bodyAsJsonObject().getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getLong("id"))
        .toList();
  }
}
