package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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
   * Verifies that ArchiveRequest moves finished activities older than the cutoff, whole groups
   * with them, and that they stay readable while unfinished ones stay live.
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

    long archive = fx.post("/activities", new JsonObject().put("type", "ArchiveRequest")
        .put("parameters", new JsonObject().put("older_than_days", 5))).bodyAsJsonObject()
        .getLong("id");

    eventually(20, () -> status(archive).equals("succeeded"));
    assertThat(fx.get("/activities/" + archive).bodyAsJsonObject().getString("result_text"))
        .startsWith("archived ").contains("finished before 2030-01-06T00:00:00Z");
    JsonObject kept = fx.get("/activities/" + groupId).bodyAsJsonObject();
    assertThat(kept.getString("status")).isEqualTo("canceled");
    assertThat(kept.getJsonArray("children")).hasSize(2);
    long child = group.getJsonArray("children").getJsonObject(0).getLong("id");
    assertThat(fx.get("/activities/" + child + "/events").bodyAsJsonObject()
        .getJsonArray("results")).extracting(e -> ((JsonObject) e).getString("to"))
        .containsExactly("queued", "canceled");
    assertThat(ids("/activities?query=computer-id:" + a)).contains(live).doesNotContain(child);
    assertThat(ids("/activities?archived=true")).contains(groupId);
    assertThat(status(live)).isEqualTo("queued");
  }

  /** Verifies that SyncPocketRequest mirrors a local directory into storage with progress. */
  @Test
  void syncPocketMirrorsADirectory(@TempDir Path source) throws Exception {
    Files.writeString(source.resolve("hello_1.0_all.deb"), "deb one");
    Files.createDirectories(source.resolve("pool"));
    Files.writeString(source.resolve("pool/world_2.0_all.deb"), "deb two");

    long id = sync(source.toString(), "local-main");

    eventually(20, () -> !status(id).equals("queued") && !status(id).equals("in-progress"));
    JsonObject activity = fx.get("/activities/" + id).bodyAsJsonObject();
    assertThat(activity.getString("status")).as(activity.encode()).isEqualTo("succeeded");
    assertThat(activity.getInteger("progress")).isEqualTo(100);
    assertThat(activity.getString("result_text")).startsWith("mirrored 2 files");
    Path pocket = pocket("local-main");
    assertThat(pocket.resolve("pool/world_2.0_all.deb")).hasContent("deb two");
  }

  /** Verifies that SyncPocketRequest mirrors an http repository: its index, then every file it names. */
  @Test
  void syncPocketMirrorsAnHttpRepository(Vertx vertx) {
    Map<String, String> files = Map.of(
        "/repo/Packages", "Package: hello\nFilename: pool/h/hello.deb\n\n"
            + "Package: world\nFilename: pool/w/world.deb\n",
        "/repo/pool/h/hello.deb", "hello bytes",
        "/repo/pool/w/world.deb", "world bytes");
    HttpServer repo = await(vertx.createHttpServer().requestHandler(req -> {
      String body = files.get(req.path());
      req.response().setStatusCode(body == null ? 404 : 200).end(body == null ? "" : body);
    }).listen(0, "127.0.0.1"));
    try {
      long id = sync("http://127.0.0.1:" + repo.actualPort() + "/repo/", "http-main");
      eventually(20, () -> status(id).equals("succeeded"));
      assertThat(pocket("http-main").resolve("pool/w/world.deb")).hasContent("world bytes");
      assertThat(pocket("http-main").resolve("Packages")).exists();

      long missing = sync("http://127.0.0.1:" + repo.actualPort() + "/nothing", "http-none");
      eventually(20, () -> status(missing).equals("failed"));
      assertThat(fx.get("/activities/" + missing).bodyAsJsonObject().getString("result_text"))
          .contains("404");
    } finally {
      await(repo.close());
    }
  }

  /** Verifies that GenerateUsgReportActivity writes CSV and JSON reports the API serves to the account only. */
  @Test
  void usgReportIsServedToItsAccount(Vertx vertx) {
    long computer = fx.computer("usg-1");
    JsonObject audit = new JsonObject().put("type", "usg-audit").put("profile", "cis_level1")
        .put("results", new JsonArray()
            .add(new JsonObject().put("rule", "1.1.1").put("result", "pass"))
            .add(new JsonObject().put("rule", "=cmd|calc").put("result", "fail")));
    await(fx.server.pool().preparedQuery("""
            INSERT INTO client_messages (computer_id, type, body, received_at)
            VALUES ($1, 'usg-audit', $2, $3)
            """)
        .execute(Tuple.of(computer, audit, fx.clock.instant().atOffset(ZoneOffset.UTC))));

    long id = fx.post("/activities", new JsonObject().put("type", "GenerateUsgReportActivity")
            .put("parameters", new JsonObject().put("computer_ids", new JsonArray().add(computer))))
        .bodyAsJsonObject().getLong("id");

    eventually(20, () -> status(id).equals("succeeded"));
    assertThat(fx.get("/activities/" + id).bodyAsJsonObject().getString("result_text"))
        .contains("/api/v2/reports/" + id + ".csv");
    String csv = fx.get("/reports/" + id + ".csv").bodyAsString();
    assertThat(csv.lines()).hasSize(3)
        .anySatisfy(line -> assertThat(line).endsWith(",cis_level1,1.1.1,pass"))
        .anySatisfy(line -> assertThat(line).endsWith(",'=cmd|calc,fail"));
    JsonArray json = fx.get("/reports/" + id + ".json").bodyAsJsonArray();
    assertThat(json.getJsonObject(0).getString("title")).isEqualTo("usg-1");
    try (ServerFixture other = new ServerFixture(vertx)) {
      assertThat(other.get("/reports/" + id + ".csv").statusCode()).isEqualTo(404);
    }
    assertThat(fx.get("/reports/../../etc.csv").statusCode()).isEqualTo(404);
  }

  private static long sync(String source, String pocket) {
    return fx.post("/activities", new JsonObject().put("type", "SyncPocketRequest")
            .put("parameters", new JsonObject().put("source_url", source).put("pocket", pocket)))
        .bodyAsJsonObject().getLong("id");
  }

  private static Path pocket(String name) {
    return fx.config.home().resolve("storage/pockets").resolve(Long.toString(fx.accountId))
        .resolve(name);
  }

  private static JsonObject script(long... computers) {
    JsonArray ids = new JsonArray();
    for (long c : computers) {
      ids.add(c);
    }
    return new JsonObject().put("type", "ExecuteScriptRequest").put("computer_ids", ids)
        .put("parameters", new JsonObject().put("code", "true"));
  }

  private static String status(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }

  private static List<Long> ids(String path) {
    return fx.get(path).bodyAsJsonObject().getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getLong("id")).toList();
  }
}
