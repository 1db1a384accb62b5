package dev.outpost.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account policy four_eyes: who created an activity does not approve it. */
@ExtendWith(VertxExtension.class)
class FourEyesTest {

  /**
   * Verifies that under four_eyes the creator's approval is refused by name and the activity stays
   * Blocked, that another administrator's approval moves it, and that its events name each
   * administrator as actor; without the policy the creator approves their own.
   */
  @Test
  void theCreatorCannotApproveTheirOwn(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      String approverEmail = TestSupport.unique("approver") + "@example.com";
      JsonObject approver =
          fx.post(
                  "/administrators",
                  new JsonObject()
                      .put("email", approverEmail)
                      .put("roles", new JsonArray().add("approver")))
              .bodyAsJsonObject();
      String approverToken =
          fx.post(
                  "/tokens",
                  new JsonObject()
                      .put("name", "approving")
                      .put("administrator_id", approver.getLong("id")))
              .bodyAsJsonObject()
              .getString("secret");
      assertThat(
              fx.patch("/account", new JsonObject().put("four_eyes", true))
                  .bodyAsJsonObject()
                  .getBoolean("four_eyes"))
          .isTrue();
      long id = blocked(fx);

      JsonObject own = approve(fx, fx.token, id);

      assertThat(own.getJsonArray("applied")).isEmpty();
      assertThat(own.getJsonArray("refused").getJsonObject(0).getString("reason"))
          .contains("four-eyes");
      assertThat(TestSupport.status(fx.server.pool(), id)).isEqualTo("blocked");

      JsonObject other = approve(fx, approverToken, id);

      assertThat(other.getJsonArray("applied").getLong(0)).isEqualTo(id);
      JsonArray events =
          fx.get("/activities/" + id + "/events").bodyAsJsonObject().getJsonArray("results");
      assertThat(events.getJsonObject(0).getString("actor"))
          .isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
      assertThat(events.getJsonObject(1).getString("actor")).isEqualTo(approverEmail);

      fx.patch("/account", new JsonObject().put("four_eyes", false));
      long mine = blocked(fx);
      assertThat(approve(fx, fx.token, mine).getJsonArray("applied").getLong(0)).isEqualTo(mine);
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  private static long blocked(ServerFixture fx) {
    HttpResponse<Buffer> created =
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ArchiveRequest")
                .put("parameters", new JsonObject().put("older_than_days", 3650))
                .put("requires_approval", true));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  private static JsonObject approve(ServerFixture fx, String token, long id) {
    HttpResponse<Buffer> answer =
        TestSupport.await(
            fx.http
                .post("/api/v2/activities/approve")
                .bearerTokenAuthentication(token)
                .sendJsonObject(new JsonObject().put("ids", new JsonArray().add(id))));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }
}
