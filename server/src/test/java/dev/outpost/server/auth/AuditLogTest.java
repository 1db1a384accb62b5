package dev.outpost.server.auth;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit log: every action of a session, in order, with who, from where and what. */
@ExtendWith(VertxExtension.class)
class AuditLogTest {

  private static final String PASSWORD = "a long enough password";

  /**
   * Verifies that each action of a session of an administrator (administrators, tokens, activities
   * created, approved, held, canceled and reapplied, scripts and profiles, the account's policy,
   * sign-ins failed and not, a token revoked) is in the log in the order done, naming the
   * administrator, the token, the address and the status; that queries and pages select from it;
   * and that the log cannot be changed.
   */
  @Test
  void theLogRecordsEachActionOfASessionInOrder(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      List<String> done = new ArrayList<>();
      String email = TestSupport.unique("audited") + "@example.com";
      long administrator =
          ok(
                  fx.post(
                      "/administrators",
                      new JsonObject()
                          .put("email", email)
                          .put("roles", new JsonArray().add("viewer"))
                          .put("password", PASSWORD)),
                  done,
                  "administrator.create")
              .getLong("id");
      long token =
          ok(fx.post("/tokens", new JsonObject().put("name", "ci")), done, "token.create")
              .getLong("id");
      long activity =
          ok(
                  fx.post(
                      "/activities",
                      new JsonObject()
                          .put("type", "ArchiveRequest")
                          .put("parameters", new JsonObject().put("older_than_days", 3650))
                          .put("requires_approval", true)),
                  done,
                  "activity.create")
              .getLong("id");
      JsonObject ids = new JsonObject().put("ids", new JsonArray().add(activity));
      ok(fx.post("/activities/approve", ids), done, "activity.approve");
      ok(fx.post("/activities/hold", ids), done, "activity.hold");
      ok(fx.post("/activities/cancel", ids), done, "activity.cancel");
      ok(
          fx.post("/activities/reapply", new JsonObject().put("id", activity)),
          done,
          "activity.reapply");
      long script =
          ok(
                  fx.post(
                      "/scripts",
                      new JsonObject().put("title", "audited").put("code", "#!/bin/sh\ntrue")),
                  done,
                  "script.create")
              .getLong("id");
      ok(
          fx.patch("/scripts/" + script, new JsonObject().put("code", "#!/bin/sh\nfalse")),
          done,
          "script.update");
      long profile =
          ok(
                  fx.post(
                      "/script-profiles",
                      new JsonObject()
                          .put("title", "audited")
                          .put("script_id", script)
                          .put("tags", new JsonArray().add("web"))
                          .put(
                              "trigger",
                              new JsonObject()
                                  .put("trigger_type", "recurring")
                                  .put("interval", "0 3 * * *")
                                  .put("start_after", "2031-01-01T00:00:00Z"))),
                  done,
                  "profile.create")
              .getLong("id");
      ok(
          fx.post("/script-profiles/" + profile + "/archive", new JsonObject()),
          done,
          "profile.archive");
      ok(fx.patch("/account", new JsonObject().put("four_eyes", true)), done, "account.update");
      assertThat(AuthApiTest.loginAt(fx, email, "wrong password").statusCode()).isEqualTo(401);
      done.add("login.failed");
      assertThat(AuthApiTest.loginAt(fx, email, PASSWORD).statusCode()).isEqualTo(200);
      done.add("login");
      assertThat(await(fx.api(HttpMethod.DELETE, "/tokens/" + token).send()).statusCode())
          .isEqualTo(204);
      done.add("token.revoke");
      ok(
          fx.patch(
              "/administrators/" + administrator,
              new JsonObject().put("roles", new JsonArray().add("operator"))),
          done,
          "administrator.update");
      // refused by its roles: recorded too
      String viewer =
          fx.post(
                  "/tokens",
                  new JsonObject().put("name", "v").put("roles", new JsonArray().add("viewer")))
              .bodyAsJsonObject()
              .getString("secret");
      done.add("token.create");
      assertThat(
              await(
                      fx.http
                          .patch("/api/v2/account")
                          .bearerTokenAuthentication(viewer)
                          .sendJsonObject(new JsonObject().put("four_eyes", false)))
                  .statusCode())
          .isEqualTo(403);
      done.add("account.update");

      eventually(10, () -> fx.server.audit().idle());
      JsonArray log = fx.get("/audit?limit=1000").bodyAsJsonObject().getJsonArray("results");
      List<JsonObject> entries = new ArrayList<>();
      log.forEach(e -> entries.add(0, (JsonObject) e)); // oldest first

      assertThat(entries.stream().map(e -> e.getString("action")).toList())
          .containsExactlyElementsOf(done);
      JsonObject created = entries.get(2);
      assertThat(created.getString("administrator")).isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
      assertThat(created.getString("token")).isEqualTo("admin");
      assertThat(created.getString("source")).isEqualTo("127.0.0.1");
      assertThat(created.getInteger("status")).isEqualTo(201);
      assertThat(created.getJsonObject("details").getLong("id")).isEqualTo(activity);
      JsonObject failed = entries.get(done.indexOf("login.failed"));
      assertThat(failed.getString("administrator")).isEqualTo(email);
      assertThat(failed.getInteger("status")).isEqualTo(401);
      assertThat(failed.getJsonObject("details").encode()).doesNotContain("wrong password");
      assertThat(entries.get(entries.size() - 1).getInteger("status")).isEqualTo(403);

      JsonArray logins =
          fx.get("/audit?query=action:login*").bodyAsJsonObject().getJsonArray("results");
      assertThat(logins.stream().map(e -> ((JsonObject) e).getString("action")).toList())
          .containsExactly("login", "login.failed");
      JsonObject page = fx.get("/audit?limit=2").bodyAsJsonObject();
      JsonArray next =
          fx.get("/audit?limit=2&before=" + page.getLong("next"))
              .bodyAsJsonObject()
              .getJsonArray("results");
      assertThat(next.getJsonObject(0).getString("action")).isEqualTo(done.get(done.size() - 3));
      TestSupport.assertBadRequest(fx.get("/audit?query=colour:red"), "colour");

      assertThatThrownBy(
              () ->
                  await(
                      fx.server
                          .pool()
                          .preparedQuery(
                              "UPDATE audit_log SET action = 'nothing' WHERE account_id = $1")
                          .execute(Tuple.of(fx.accountId))))
          .hasMessageContaining("append-only");
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  private static JsonObject ok(HttpResponse<Buffer> response, List<String> done, String action) {
    assertThat(response.statusCode()).as(action + ": " + response.bodyAsString()).isLessThan(300);
    done.add(action);
    return response.bodyAsJsonObject();
  }
}
