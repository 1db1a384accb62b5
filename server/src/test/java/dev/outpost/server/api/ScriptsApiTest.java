package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Saved scripts through the admin API: versions, archive, attachments, runs by script id. */
@ExtendWith(VertxExtension.class)
class ScriptsApiTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_MAX_SCRIPT_ATTACHMENT_BYTES", "1000",
                "OUTPOST_MAX_SCRIPT_ATTACHMENTS_BYTES", "1500"),
            Map.of());
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that a script is created as version 1 with the interpreter of its shebang line, and
   * that editing the code makes version 2 while version 1 stays as it was; editing only the title
   * makes no version.
   */
  @Test
  void everyEditOfTheCodeMakesANewImmutableVersion() {
    JsonObject created = createScript("inventory", "#!/usr/bin/env python3\nprint('v1')");
    long id = created.getLong("id");
    assertThat(created.getInteger("version")).isEqualTo(1);
    assertThat(created.getString("interpreter")).isEqualTo("/usr/bin/env python3");

    JsonObject edited = patch("/scripts/" + id, new JsonObject().put("code", "echo v2"));
    JsonObject retitled = patch("/scripts/" + id, new JsonObject().put("title", "renamed"));

    assertThat(edited.getInteger("version")).isEqualTo(2);
    // no shebang in the new code: the interpreter stays as it was
    assertThat(edited.getString("interpreter")).isEqualTo("/usr/bin/env python3");
    assertThat(retitled.getInteger("version")).isEqualTo(2);
    assertThat(retitled.getString("title")).isEqualTo("renamed");
    JsonArray versions =
        fx.get("/scripts/" + id + "/versions").bodyAsJsonObject().getJsonArray("results");
    assertThat(versions).hasSize(2);
    assertThat(versions.getJsonObject(0).getInteger("number")).isEqualTo(2);
    assertThat(versions.getJsonObject(0).getString("code")).isEqualTo("echo v2");
    assertThat(versions.getJsonObject(1).getInteger("number")).isEqualTo(1);
    assertThat(versions.getJsonObject(1).getString("code"))
        .isEqualTo("#!/usr/bin/env python3\nprint('v1')");
    assertThat(versions.getJsonObject(1).getString("creator"))
        .isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
  }

  /**
   * Verifies that an archived script leaves the listing (unless asked for), stays readable, and
   * starts no new activity.
   */
  @Test
  void anArchivedScriptIsHiddenAndStartsNothing() {
    long computer = fx.computer("archive-test");
    long id = createScript("old", "echo old").getLong("id");
    assertThat(listedIds(false)).contains(id);

    JsonObject archived =
        fx.post("/scripts/" + id + "/archive", new JsonObject()).bodyAsJsonObject();

    assertThat(archived.getBoolean("archived")).isTrue();
    assertThat(listedIds(false)).doesNotContain(id);
    assertThat(listedIds(true)).contains(id);
    assertThat(fx.get("/scripts/" + id).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> run =
        fx.post("/activities", run(computer, new JsonObject().put("script_id", id)));
    assertThat(run.statusCode()).as(run.bodyAsString()).isEqualTo(409);
    assertThat(run.bodyAsJsonObject().getString("message")).contains("archived");
  }

  /**
   * Verifies that a run by script id takes the script's code and defaults, records which script and
   * version ran, runs an older version when asked, and lets the request's own username win.
   */
  @Test
  void aRunByScriptIdRecordsTheVersionItRan() {
    long computer = fx.computer("run-test");
    long id =
        fx.post(
                "/scripts",
                new JsonObject()
                    .put("title", "hello")
                    .put("code", "echo one")
                    .put("username", "nobody")
                    .put("time_limit", 30))
            .bodyAsJsonObject()
            .getLong("id");
    patch("/scripts/" + id, new JsonObject().put("code", "echo two"));

    JsonObject current = created(run(computer, new JsonObject().put("script_id", id)));
    JsonObject older =
        created(
            run(
                computer,
                new JsonObject()
                    .put("script_id", id)
                    .put("script_version", 1)
                    .put("username", "root")));

    JsonObject ran = current.getJsonObject("parameters");
    assertThat(ran.getLong("script_id")).isEqualTo(id);
    assertThat(ran.getInteger("script_version")).isEqualTo(2);
    assertThat(ran.getString("code")).isEqualTo("echo two");
    assertThat(ran.getString("interpreter")).isEqualTo("/bin/sh");
    assertThat(ran.getString("username")).isEqualTo("nobody");
    assertThat(ran.getInteger("time_limit")).isEqualTo(30);
    JsonObject ranOlder = older.getJsonObject("parameters");
    assertThat(ranOlder.getInteger("script_version")).isEqualTo(1);
    assertThat(ranOlder.getString("code")).isEqualTo("echo one");
    assertThat(ranOlder.getString("username")).isEqualTo("root");
    assertBadRequest(
        fx.post(
            "/activities",
            run(computer, new JsonObject().put("script_id", id).put("script_version", 9))),
        "no version 9");
    assertBadRequest(
        fx.post(
            "/activities",
            run(computer, new JsonObject().put("script_id", id).put("code", "echo mine"))),
        "'code'");
  }

  /**
   * Verifies the attachment caps: a file over the per-file cap and a file taking the script over
   * its total are refused by name; a name taken is a 409; a deleted file frees its bytes.
   */
  @Test
  void attachmentsAreCappedPerFileAndPerScript() {
    long id = createScript("with files", "ls $LANDSCAPE_ATTACHMENTS").getLong("id");

    HttpResponse<Buffer> first = upload(id, "a.bin", new byte[900]);
    HttpResponse<Buffer> tooLarge = upload(id, "big.bin", new byte[1001]);
    HttpResponse<Buffer> overTotal = upload(id, "b.bin", new byte[700]);
    HttpResponse<Buffer> taken = upload(id, "a.bin", new byte[10]);
    HttpResponse<Buffer> noName = upload(id, null, new byte[10]);
    HttpResponse<Buffer> badName = upload(id, "../etc", new byte[10]);

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.bodyAsJsonObject().getInteger("size")).isEqualTo(900);
    assertBadRequest(tooLarge, "OUTPOST_MAX_SCRIPT_ATTACHMENT_BYTES");
    assertBadRequest(overTotal, "OUTPOST_MAX_SCRIPT_ATTACHMENTS_BYTES");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertBadRequest(noName, "filename");
    assertBadRequest(badName, "filename");
    long attachment = first.bodyAsJsonObject().getLong("id");
    assertThat(
            await(fx.api(HttpMethod.DELETE, "/scripts/" + id + "/attachments/" + attachment).send())
                .statusCode())
        .isEqualTo(204);
    assertThat(upload(id, "b.bin", new byte[700]).statusCode()).isEqualTo(201);
    JsonArray listed =
        fx.get("/scripts/" + id + "/attachments").bodyAsJsonObject().getJsonArray("results");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("filename")).isEqualTo("b.bin");
  }

  /** Verifies that another account's script answers 404 everywhere, runs included. */
  @Test
  void anotherAccountsScriptIsNotFound(Vertx vertx) {
    long id = createScript("mine", "echo mine").getLong("id");
    try (ServerFixture other = new ServerFixture(vertx)) {
      long theirs = other.computer("theirs");
      assertThat(other.get("/scripts/" + id).statusCode()).isEqualTo(404);
      assertThat(other.get("/scripts/" + id + "/versions").statusCode()).isEqualTo(404);
      assertThat(
              await(
                      other
                          .api(HttpMethod.PATCH, "/scripts/" + id)
                          .sendJsonObject(new JsonObject().put("title", "stolen")))
                  .statusCode())
          .isEqualTo(404);
      assertThat(
              other
                  .post("/activities", run(theirs, new JsonObject().put("script_id", id)))
                  .statusCode())
          .isEqualTo(404);
      assertThat(other.get("/scripts").bodyAsJsonObject().getJsonArray("results")).isEmpty();
    }
  }

  /**
   * Verifies that an account keeps at most OUTPOST_MAX_SCRIPTS scripts and
   * OUTPOST_MAX_SCRIPT_PROFILES profiles that are not archived.
   */
  @Test
  void anAccountKeepsAtMostItsCapsOfScriptsAndProfiles(Vertx vertx) {
    try (ServerFixture capped =
        new ServerFixture(
            vertx,
            Map.of("OUTPOST_MAX_SCRIPTS", "1", "OUTPOST_MAX_SCRIPT_PROFILES", "1"),
            Map.of())) {
      JsonObject script = new JsonObject().put("title", "one").put("code", "echo one");
      long first = capped.post("/scripts", script).bodyAsJsonObject().getLong("id");
      assertBadRequest(capped.post("/scripts", script), "OUTPOST_MAX_SCRIPTS");
      JsonObject profile =
          new JsonObject()
              .put("title", "p")
              .put("script_id", first)
              .put("all_computers", true)
              .put(
                  "trigger",
                  new JsonObject()
                      .put("trigger_type", "event")
                      .put("event_type", "post_enrollment"));
      long firstProfile = capped.post("/script-profiles", profile).bodyAsJsonObject().getLong("id");
      assertBadRequest(capped.post("/script-profiles", profile), "OUTPOST_MAX_SCRIPT_PROFILES");

      capped.post("/script-profiles/" + firstProfile + "/archive", new JsonObject());
      assertThat(capped.post("/script-profiles", profile).statusCode()).isEqualTo(201);
      capped.post("/scripts/" + first + "/archive", new JsonObject());
      assertThat(capped.post("/scripts", script).statusCode()).isEqualTo(201);
      TestSupport.endActivities(capped.server.pool(), capped.accountId);
    }
  }

  /** Verifies that malformed scripts are refused by the field at fault. */
  @Test
  void malformedScriptsAreRefusedByName() {
    assertBadRequest(fx.post("/scripts", new JsonObject().put("code", "x")), "title");
    assertBadRequest(fx.post("/scripts", new JsonObject().put("title", "x")), "code");
    assertBadRequest(
        fx.post("/scripts", new JsonObject().put("title", "x").put("code", "x").put("color", 1)),
        "color");
    assertBadRequest(
        fx.post(
            "/scripts", new JsonObject().put("title", "x").put("code", "x").put("time_limit", 0)),
        "time_limit");
    assertBadRequest(
        fx.post("/scripts", new JsonObject().put("title", "x").put("code", "a\u0000b")), "code");
  }

  private static JsonObject createScript(String title, String code) {
    HttpResponse<Buffer> response =
        fx.post("/scripts", new JsonObject().put("title", title).put("code", code));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static JsonObject patch(String path, JsonObject body) {
    HttpResponse<Buffer> response = await(fx.api(HttpMethod.PATCH, path).sendJsonObject(body));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static List<Long> listedIds(boolean archived) {
    return fx
        .get("/scripts?archived=" + archived)
        .bodyAsJsonObject()
        .getJsonArray("results")
        .stream()
        .map(s -> ((JsonObject) s).getLong("id"))
        .toList();
  }

  private static JsonObject run(long computer, JsonObject parameters) {
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", new JsonArray().add(computer))
        .put("parameters", parameters);
  }

  private static JsonObject created(JsonObject request) {
    HttpResponse<Buffer> response = fx.post("/activities", request);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> upload(long script, String name, byte[] content) {
    var request = fx.api(HttpMethod.POST, "/scripts/" + script + "/attachments");
    if (name != null) {
      request.addQueryParam("filename", name);
    }
    return await(request.sendBuffer(Buffer.buffer(content)));
  }
}
