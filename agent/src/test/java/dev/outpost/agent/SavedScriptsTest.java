package dev.outpost.agent;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Saved scripts and script profiles reaching Outpost's real agent. */
@ExtendWith(VertxExtension.class)
class SavedScriptsTest {

  private static AgentFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx, Map.of("OUTPOST_SWEEP_INTERVAL_MS", "50"));
  }

  /** The agents of a test stop with it: their data dirs go with the test. */
  @AfterEach
  void stopAgents() {
    fx.stopAgents();
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.server.pool(), fx.server.accountId);
    fx.close();
  }

  /**
   * Verifies that a saved script's uploaded files, bytes as they were, are in the directory {@code
   * $LANDSCAPE_ATTACHMENTS} names when the agent runs it by script id.
   */
  @Test
  void aScriptsAttachmentsReachTheAgent(@TempDir Path dataDir) {
    long computer = AgentFixture.computerOf(fx.start(fx.config(dataDir, "attachments")));
    long script =
        created(
                "/scripts",
                new JsonObject()
                    .put("title", "files")
                    .put(
                        "code",
                        "cat \"$LANDSCAPE_ATTACHMENTS/notes.txt\"; "
                            + "od -An -tx1 \"$LANDSCAPE_ATTACHMENTS/blob.bin\""))
            .getLong("id");
    upload(script, "notes.txt", Buffer.buffer("from a file\n"));
    upload(script, "blob.bin", Buffer.buffer(new byte[] {0, (byte) 0xff, 0x10}));

    long id =
        fx.activity("ExecuteScriptRequest", computer, new JsonObject().put("script_id", script));
    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).contains("from a file", "00 ff 10");
  }

  /**
   * Verifies that an agent registering after a post-enrollment profile was made runs its script
   * when its tags match, and that one whose tags do not match is given nothing by it.
   */
  @Test
  void aPostEnrollmentProfileRunsOnAnAgentThatRegistersLater(@TempDir Path web, @TempDir Path db) {
    long script =
        created("/scripts", new JsonObject().put("title", "welcome").put("code", "echo welcome"))
            .getLong("id");
    long profile =
        created(
                "/script-profiles",
                new JsonObject()
                    .put("title", "on enrollment")
                    .put("script_id", script)
                    .put("tags", new JsonArray().add("web"))
                    .put(
                        "trigger",
                        new JsonObject()
                            .put("trigger_type", "event")
                            .put("event_type", "post_enrollment")))
            .getLong("id");

    long other = AgentFixture.computerOf(fx.start(tagged(db, "db-agent", "db")));
    long computer = AgentFixture.computerOf(fx.start(tagged(web, "web-agent", "web,prod")));

    org.awaitility.Awaitility.await()
        .atMost(AgentFixture.PATIENCE)
        .until(() -> fired(profile).size() == 1);
    JsonObject activity = fired(profile).getJsonObject(0);
    assertThat(activity.getLong("computer_id")).isEqualTo(computer);
    JsonObject done = fx.awaitFinal(activity.getLong("id"));
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).contains("welcome");
    assertThat(done.getJsonObject("parameters").getLong("script_id")).isEqualTo(script);
    // both computers' enrollments were swept before the second computer's fired
    assertThat(fired(profile).stream().map(a -> ((JsonObject) a).getLong("computer_id")))
        .doesNotContain(other);
  }

  private static AgentConfig tagged(Path dataDir, String title, String tags) {
    AgentConfig c = fx.config(dataDir, title);
    return new AgentConfig(
        c.urls(),
        c.accountName(),
        c.registrationKey(),
        c.computerTitle(),
        c.hostname(),
        Optional.of(tags),
        c.dataDir(),
        c.intervals(),
        c.backoffMin(),
        c.backoffMax(),
        c.requestTimeout(),
        c.enableShutdown(),
        c.enableUserManagement(),
        c.scriptUsers(),
        c.channel(),
        ServerTrust.SYSTEM,
        false);
  }

  private static JsonArray fired(long profile) {
    return fx.server
        .get("/script-profiles/" + profile + "/activities")
        .bodyAsJsonObject()
        .getJsonArray("results");
  }

  private static JsonObject created(String path, JsonObject body) {
    var response = fx.server.post(path, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static void upload(long script, String name, Buffer content) {
    var response =
        await(
            fx.server
                .api(HttpMethod.POST, "/scripts/" + script + "/attachments")
                .addQueryParam("filename", name)
                .sendBuffer(content));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
  }
}
