package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secret parameters (passwords, Ubuntu Pro tokens) through the whole server: the admin API, a real
 * message exchange, reapply and the archive, against the real database and broker.
 */
@ExtendWith(VertxExtension.class)
class SecretsTest {

  private static ServerFixture fx;

  /** Every admin API answer of a test, to search for secrets. */
  private final List<String> answers = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a secret parameter appears in no admin API answer and no log line, while the
   * agent still receives it. GIVEN two registered computers and everything logged at TRACE, WHEN a
   * user with a password and a group attaching Ubuntu Pro with a token are created, listed, read,
   * delivered through the exchange, failed, reapplied with the password given again, archived and
   * listed from the archive, THEN the agents got the secrets, the API showed each as "********",
   * and neither the answers nor the logs hold one.
   */
  @Test
  void aSecretAppearsInNoAnswerAndNoLogLine() {
    String password = TestSupport.unique("password");
    String token = TestSupport.unique("token");
    String again = TestSupport.unique("password");
    ProtocolClient web = ProtocolClient.registered(fx, "secret-web");
    ProtocolClient db = ProtocolClient.registered(fx, "secret-db");

    List<String> logged;
    try (LogCapture log = new LogCapture(Level.TRACE)) {
      JsonObject user = post("/activities", 201, createUser(web.insecureId, password));
      JsonObject group =
          post(
              "/activities",
              201,
              new JsonObject()
                  .put("type", "AttachProRequest")
                  .put("computer_ids", new JsonArray().add(web.insecureId).add(db.insecureId))
                  .put("parameters", new JsonObject().put("token", token)));
      assertThat(user.getJsonObject("parameters").getString("password")).isEqualTo("********");
      assertThat(group.getJsonObject("parameters").getString("token")).isEqualTo("********");
      long child = group.getJsonArray("children").getJsonObject(0).getLong("id");
      assertThat(get("/activities/" + child).getJsonObject("parameters").getString("token"))
          .isEqualTo("********");
      get("/activities");
      get("/activities/parents");
      get("/activities/" + user.getLong("id"));
      get("/activities/" + group.getLong("id"));
      get("/activities/" + user.getLong("id") + "/events");

      WireMap delivered = web.exchange(List.of());
      assertThat(delivered.mapList("messages"))
          .extracting(m -> m.text("type"))
          .containsExactly("add-user", "attach-pro");
      assertThat(delivered.mapList("messages").get(0).text("password")).isEqualTo(password);
      assertThat(delivered.mapList("messages").get(1).text("token")).isEqualTo(token);
      db.exchange(List.of());
      web.exchange(List.of(ProtocolClient.result(user.getLong("id"), 5, 1, "useradd failed")));
      get("/activities?query=status:failed");
      JsonObject redone =
          post(
              "/activities/reapply",
              201,
              new JsonObject()
                  .put("id", user.getLong("id"))
                  .put("parameters", new JsonObject().put("password", again)));
      assertThat(redone.getJsonObject("parameters").getString("password")).isEqualTo("********");
      assertThat(web.exchange(List.of()).mapList("messages").get(0).text("password"))
          .isEqualTo(again);
      web.exchange(List.of(ProtocolClient.result(redone.getLong("id"), 6, 0, "")));

      archiveAll();
      JsonObject archived = get("/activities?archived=true");
      assertThat(archived.getJsonArray("results")).isNotEmpty();
      get("/activities/" + user.getLong("id"));
      logged = log.lines();
    }

    assertThat(logged)
        .as("the exchange's debug lines were on")
        .anyMatch(line -> line.contains("activity delivered"));
    for (String secret : List.of(password, token, again)) {
      assertThat(answers).noneMatch(answer -> answer.contains(secret));
      assertThat(logged).noneMatch(line -> line.contains(secret));
    }
  }

  /**
   * Verifies that a secret is held only until delivery. GIVEN a user created with a password on a
   * computer and as a group on two, WHEN the computer's agent takes its activity and acknowledges
   * it, THEN its row keeps the password as null, its group never held it, the undelivered child
   * still does, and the outgoing store keeps no copy.
   */
  @Test
  void aSecretIsDroppedOnceDelivered() {
    String password = TestSupport.unique("password");
    ProtocolClient web = ProtocolClient.registered(fx, "drop-web");
    ProtocolClient db = ProtocolClient.registered(fx, "drop-db");
    long single = post("/activities", 201, createUser(web.insecureId, password)).getLong("id");
    JsonObject group =
        post(
            "/activities",
            201,
            createUser(db.insecureId, password)
                .put("computer_ids", new JsonArray().add(db.insecureId).add(web.insecureId)));
    long undelivered = group.getJsonArray("children").getJsonObject(0).getLong("id");

    assertThat(storedPassword(single)).isEqualTo(password);
    assertThat(storedPassword(group.getLong("id"))).as("the group").isNull();
    assertThat(parameters(group.getLong("id")).containsKey("password")).isTrue();

    WireMap answer = web.exchange(List.of());
    assertThat(answer.mapList("messages"))
        .extracting(m -> m.text("password"))
        .containsExactly(password, password);
    web.exchange(List.of()); // acknowledges

    assertThat(parameters(single).containsKey("password")).isTrue();
    assertThat(storedPassword(single)).as("delivered").isNull();
    assertThat(storedPassword(undelivered)).as("not delivered yet").isEqualTo(password);
    assertThat(
            await(
                    fx.server
                        .pool()
                        .preparedQuery(
                            """
            SELECT count(*) FROM outgoing_messages
             WHERE computer_id = $1 AND position(convert_to($2, 'UTF8') IN message) > 0
            """)
                        .execute(Tuple.of(web.insecureId, password)))
                .iterator()
                .next()
                .getLong(0))
        .as("copies in the outgoing store")
        .isZero();
  }

  /**
   * Verifies that reapply asks for a secret the server no longer holds. GIVEN a delivered, failed
   * user creation whose password was dropped, WHEN it is reapplied without the password, THEN 409
   * names it; WHEN with a parameter that is not secret, THEN 400; WHEN with the password, THEN the
   * new activity holds it; WHEN with null, THEN the new one has none.
   */
  @Test
  void reapplyAsksForADroppedSecret() {
    ProtocolClient web = ProtocolClient.registered(fx, "reapply-web");
    long id = post("/activities", 201, createUser(web.insecureId, "first")).getLong("id");
    web.exchange(List.of());
    web.exchange(List.of(ProtocolClient.result(id, 5, 1, "failed")));

    HttpResponse<Buffer> refused = fx.post("/activities/reapply", new JsonObject().put("id", id));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getString("message"))
        .contains("[password]")
        .contains("give them again");
    TestSupport.assertBadRequest(
        fx.post(
            "/activities/reapply",
            new JsonObject()
                .put("id", id)
                .put("parameters", new JsonObject().put("username", "eve"))),
        "username");

    long given =
        post(
                "/activities/reapply",
                201,
                new JsonObject()
                    .put("id", id)
                    .put("parameters", new JsonObject().put("password", "second")))
            .getLong("id");
    long without =
        post(
                "/activities/reapply",
                201,
                new JsonObject()
                    .put("id", id)
                    .put("parameters", new JsonObject().putNull("password")))
            .getLong("id");

    assertThat(storedPassword(given)).isEqualTo("second");
    assertThat(parameters(given).getString("username")).isEqualTo("ann");
    assertThat(parameters(without).containsKey("password")).isFalse();
    assertThat(
            fx.get("/activities/" + without)
                .bodyAsJsonObject()
                .getJsonObject("parameters")
                .containsKey("password"))
        .isFalse();
  }

  /**
   * Verifies that the archive holds no secret. GIVEN a user creation canceled before delivery,
   * which still holds its password, WHEN ArchiveRequest moves it, THEN its archived row keeps the
   * password as null, and the API still shows it as given.
   */
  @Test
  void theArchiveHoldsNoSecret() {
    String password = TestSupport.unique("password");
    long computer = fx.computer("archive-secret");
    long id = post("/activities", 201, createUser(computer, password)).getLong("id");
    post("/activities/cancel", 200, new JsonObject().put("ids", new JsonArray().add(id)));
    assertThat(storedPassword(id)).isEqualTo(password);

    archiveAll();

    Row row =
        await(
                fx.server
                    .pool()
                    .preparedQuery("SELECT parameters FROM activities_archive WHERE id = $1")
                    .execute(Tuple.of(id)))
            .iterator()
            .next();
    JsonObject archived = (JsonObject) row.getValue(0);
    assertThat(archived.containsKey("password")).isTrue();
    assertThat(archived.getValue("password")).isNull();
    assertThat(archived.getString("username")).isEqualTo("ann");
    assertThat(
            fx.get("/activities/" + id)
                .bodyAsJsonObject()
                .getJsonObject("parameters")
                .getString("password"))
        .isEqualTo("********");
  }

  /**
   * Verifies that parameters PostgreSQL cannot store never reach it: it would refuse them and write
   * the parameters up to the fault, a password among them, into its own log. GIVEN a user with a
   * password and a name holding a NUL, WHEN it is created, THEN 400 names the name and does not
   * show the password.
   */
  @Test
  void textThatCannotBeStoredIsRefusedBeforeTheDatabase() {
    String password = TestSupport.unique("password");
    JsonObject request = createUser(fx.computer("nul-name"), password);
    request.getJsonObject("parameters").put("name", "Ann\u0000");

    HttpResponse<Buffer> refused = fx.post("/activities", request);

    TestSupport.assertBadRequest(refused, "parameter 'name' holds a NUL character");
    assertThat(refused.bodyAsString()).doesNotContain(password);
  }

  private static JsonObject createUser(long computer, String password) {
    return new JsonObject()
        .put("type", "CreateUserRequest")
        .put("computer_ids", new JsonArray().add(computer))
        .put("parameters", new JsonObject().put("username", "ann").put("password", password));
  }

  /** Archives every finished activity of the account and waits for it. */
  private void archiveAll() {
    fx.clock.set(fx.clock.instant().plus(Duration.ofDays(2)));
    long archive =
        post(
                "/activities",
                201,
                new JsonObject()
                    .put("type", "ArchiveRequest")
                    .put("parameters", new JsonObject().put("older_than_days", 1)))
            .getLong("id");
    eventually(20, () -> "succeeded".equals(get("/activities/" + archive).getString("status")));
  }

  private static JsonObject parameters(long id) {
    return (JsonObject)
        await(
                fx.server
                    .pool()
                    .preparedQuery("SELECT parameters FROM activities WHERE id = $1")
                    .execute(Tuple.of(id)))
            .iterator()
            .next()
            .getValue(0);
  }

  private static String storedPassword(long id) {
    return parameters(id).getString("password");
  }

  private JsonObject get(String path) {
    return kept(fx.get(path), 200);
  }

  private JsonObject post(String path, int status, JsonObject body) {
    return kept(await(fx.api(HttpMethod.POST, path).sendJsonObject(body)), status);
  }

  private JsonObject kept(HttpResponse<Buffer> response, int status) {
    answers.add(response.bodyAsString());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }
}
