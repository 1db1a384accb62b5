package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API over real HTTP against the real database. */
@ExtendWith(VertxExtension.class)
class AdminApiTest {

  private static ServerFixture fx;
  private static Vertx vertx;
  private static long box1;
  private static long box2;

  @BeforeAll
  static void start(Vertx vertx) {
    AdminApiTest.vertx = vertx;
    fx = new ServerFixture(vertx);
    box1 = fx.computer("box1");
    box2 = fx.computer("box2");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Verifies that no token, a malformed header and an unknown token all get 401. */
  @Test
  void refusesCallersWithoutAValidToken() {
    assertThat(await(fx.http.get("/api/v2/activities").send()).statusCode()).isEqualTo(401);
    assertThat(
            await(fx.http.get("/api/v2/activities").putHeader("Authorization", "Basic x").send())
                .statusCode())
        .isEqualTo(401);
    HttpResponse<Buffer> bad =
        await(fx.http.get("/api/v2/activities").bearerTokenAuthentication("nope").send());
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
  }

  /**
   * Verifies that a client offering an upgrade to HTTP/2 over plain text (as the JDK's client and
   * curl --http2 do) is answered over HTTP/1.1, its token looked up afresh: answered over HTTP/2,
   * the request had ended by the time the lookup admitted it, and its body handler failed it (500).
   */
  @Test
  void answersAnHttp2UpgradeOfferOverHttp1() {
    String token = dev.outpost.server.TestSupport.unique("token");
    await(
        fx.server
            .accounts()
            .ensureAccount(
                dev.outpost.server.TestSupport.unique("h2c"),
                dev.outpost.server.TestSupport.unique("key"),
                "admin",
                token));
    io.vertx.ext.web.client.WebClient h2c =
        dev.outpost.server.ApiContract.install(
            io.vertx.ext.web.client.WebClient.create(
                vertx,
                new io.vertx.ext.web.client.WebClientOptions()
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(true)
                    .setDefaultHost("127.0.0.1")
                    .setDefaultPort(fx.server.httpPort())));
    try {
      HttpResponse<Buffer> response =
          await(h2c.get("/api/v2/activities").bearerTokenAuthentication(token).send());

      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_1_1);
    } finally {
      h2c.close();
    }
  }

  /**
   * Verifies that a one-computer request creates one Queued client activity with every field shown.
   */
  @Test
  void createsAClientActivity() {
    HttpResponse<Buffer> created = fx.post("/activities", script(box1));

    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject activity = created.bodyAsJsonObject();
    assertThat(activity.getString("type")).isEqualTo("ExecuteScriptRequest");
    assertThat(activity.getString("status")).isEqualTo("queued");
    assertThat(activity.getString("kind")).isEqualTo("client");
    assertThat(activity.getLong("computer_id")).isEqualTo(box1);
    assertThat(activity.getString("summary")).isEqualTo("Execute script");
    assertThat(activity.getString("creator")).isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
    assertThat(activity.getString("created_at")).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(activity.getJsonObject("parameters").getString("code")).isEqualTo("echo hi");
    assertThat(activity.containsKey("parent_id")).isTrue();
    assertThat(activity.containsKey("result_code")).isTrue();
    assertThat(activity.containsKey("completed_at")).isTrue();
  }

  /**
   * Verifies that several computers make one ActivityGroup with a child each, shown with its
   * children.
   */
  @Test
  void severalComputersMakeAGroup() {
    JsonObject group = fx.post("/activities", script(box1, box2)).bodyAsJsonObject();

    assertThat(group.getString("type")).isEqualTo("ActivityGroup");
    assertThat(group.getString("status")).isEqualTo("queued");
    JsonArray children = group.getJsonArray("children");
    assertThat(children).hasSize(2);
    assertThat(children.getJsonObject(0).getLong("parent_id")).isEqualTo(group.getLong("id"));
    JsonObject listed =
        fx.get("/activities?query=parent-id:" + group.getLong("id")).bodyAsJsonObject();
    assertThat(listed.getLong("count")).isEqualTo(2);
  }

  /**
   * Verifies the start states: deliver_after in the future → scheduled, requires_approval →
   * blocked.
   */
  @Test
  void startStatesFollowTheRequest() {
    assertThat(
            fx.post("/activities", script(box1).put("deliver_after", "2031-01-01T00:00:00Z"))
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("scheduled");
    assertThat(
            fx.post("/activities", script(box1).put("deliver_after", "2020-01-01T00:00:00Z"))
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("queued");
    assertThat(
            fx.post("/activities", script(box1).put("requires_approval", true))
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("blocked");
    JsonObject server =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ArchiveRequest")
                    .put("parameters", new JsonObject().put("older_than_days", 30)))
            .bodyAsJsonObject();
    assertThat(server.getString("kind")).isEqualTo("server");
    assertThat(server.getString("status")).isEqualTo("queued");
    assertThat(server.getValue("computer_id")).isNull();
  }

  /** Verifies that bad requests are 400s naming the problem, and nothing is created. */
  @Test
  void badRequestsNameTheProblem() {
    long before = fx.get("/activities").bodyAsJsonObject().getLong("count");

    assertBadRequest(
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "MakeCoffee")
                .put("computer_ids", new JsonArray().add(box1))),
        "MakeCoffee");
    assertBadRequest(
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ExecuteScriptRequest")
                .put("computer_ids", new JsonArray().add(box1))),
        "missing parameter 'code'");
    assertBadRequest(
        fx.post(
            "/activities",
            script(box1)
                .put("parameters", new JsonObject().put("code", "x").put("time_limit", "soon"))),
        "time_limit");
    assertBadRequest(
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ExecuteScriptRequest")
                .put("parameters", new JsonObject().put("code", "x"))),
        "computer_ids");
    assertBadRequest(
        fx.post("/activities", script(box1).put("deliver_after", "tomorrow")), "tomorrow");
    assertBadRequest(fx.post("/activities", script(box1).put("computer_id", 1)), "computer_id");
    HttpResponse<Buffer> notJson =
        await(
            fx.api(HttpMethod.POST, "/activities")
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{nope")));
    assertThat(notJson.statusCode()).isEqualTo(400);

    assertThat(fx.get("/activities").bodyAsJsonObject().getLong("count")).isEqualTo(before);
  }

  /**
   * Verifies the query language: each term filters, terms AND together, unknowns are 400s naming
   * them.
   */
  @Test
  void queriesFilterAndRefuseUnknownTerms() {
    long queued = fx.post("/activities", script(box2)).bodyAsJsonObject().getLong("id");
    long blocked =
        fx.post("/activities", script(box2).put("requires_approval", true))
            .bodyAsJsonObject()
            .getLong("id");

    assertThat(ids("computer-id:" + box2 + " status:queued"))
        .contains(queued)
        .doesNotContain(blocked);
    assertThat(ids("computer-id:" + box2 + " status:unapproved"))
        .contains(blocked)
        .doesNotContain(queued);
    assertThat(ids("id:" + queued + " type:ExecuteScriptRequest")).containsExactly(queued);
    assertThat(ids("id:" + queued + " type:ArchiveRequest")).isEmpty();

    assertBadRequest(fx.get("/activities?query=status:bogus"), "bogus");
    assertBadRequest(fx.get("/activities?query=colour:red"), "colour");
    assertBadRequest(fx.get("/activities?query=id:seven"), "seven");
    assertBadRequest(fx.get("/activities?query=type:Nope"), "Nope");
    assertBadRequest(fx.get("/activities?limit=0"), "limit");
  }

  /** Verifies that listing is newest first and pages with limit and offset. */
  @Test
  void listsNewestFirstInPages() {
    long first = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");
    long second = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");

    JsonObject page =
        fx.get("/activities?query=computer-id:" + box1 + "&limit=1").bodyAsJsonObject();
    assertThat(page.getJsonArray("results")).hasSize(1);
    assertThat(page.getJsonArray("results").getJsonObject(0).getLong("id")).isEqualTo(second);
    assertThat(page.getLong("count")).isGreaterThanOrEqualTo(2);
    JsonObject next =
        fx.get("/activities?query=computer-id:" + box1 + "&limit=1&offset=1").bodyAsJsonObject();
    assertThat(next.getJsonArray("results").getJsonObject(0).getLong("id")).isEqualTo(first);
  }

  /**
   * Verifies cancel and approve: what the lifecycle allows moves, the rest is named with a reason.
   */
  @Test
  void cancelAndApproveReportWhatCouldNot() {
    long blocked =
        fx.post("/activities", script(box1).put("requires_approval", true))
            .bodyAsJsonObject()
            .getLong("id");
    long queued = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");

    JsonObject approved =
        fx.post(
                "/activities/approve",
                new JsonObject().put("ids", new JsonArray().add(blocked).add(queued)))
            .bodyAsJsonObject();
    assertThat(longs(approved.getJsonArray("applied"))).containsExactly(blocked);
    assertThat(approved.getJsonArray("refused").getJsonObject(0).getString("reason"))
        .isEqualTo("activity " + queued + " cannot move from queued to queued");

    JsonObject canceled =
        fx.post("/activities/cancel", new JsonObject().put("query", "id:" + queued))
            .bodyAsJsonObject();
    assertThat(longs(canceled.getJsonArray("applied"))).containsExactly(queued);
    JsonObject again =
        fx.post(
                "/activities/cancel",
                new JsonObject().put("ids", new JsonArray().add(queued).add(999_999_999L)))
            .bodyAsJsonObject();
    assertThat(again.getJsonArray("applied")).isEmpty();
    assertThat(again.getJsonArray("refused"))
        .extracting(o -> ((JsonObject) o).getString("reason"))
        .containsExactlyInAnyOrder(
            "activity " + queued + " cannot move from canceled to canceled",
            "activity 999999999 not found");

    JsonArray events =
        fx.get("/activities/" + queued + "/events").bodyAsJsonObject().getJsonArray("results");
    assertThat(events)
        .extracting(o -> ((JsonObject) o).getString("to"))
        .containsExactly("queued", "canceled");
    assertThat(events.getJsonObject(1).getString("from")).isEqualTo("queued");
    assertThat(events.getJsonObject(1).getString("actor")).isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
    assertThat(events.getJsonObject(1).getString("at")).isEqualTo("2030-01-01T00:00:00Z");

    assertBadRequest(fx.post("/activities/cancel", new JsonObject()), "ids");
  }

  /** Verifies that another account's activities and computers are 404s, never their data. */
  @Test
  void anotherAccountsIdsAreNotFound(Vertx vertx) {
    long mine = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");
    try (ServerFixture other = new ServerFixture(vertx)) {
      HttpResponse<Buffer> peek = other.get("/activities/" + mine);
      assertThat(peek.statusCode()).isEqualTo(404);
      assertThat(peek.bodyAsString()).doesNotContain("echo hi");
      assertThat(other.get("/activities/" + mine + "/events").statusCode()).isEqualTo(404);
      assertThat(other.get("/computers/" + box1).statusCode()).isEqualTo(404);
      assertThat(other.post("/activities", script(box1)).statusCode()).isEqualTo(404);
      assertThat(
              other
                  .post(
                      "/activities/cancel", new JsonObject().put("ids", new JsonArray().add(mine)))
                  .bodyAsJsonObject()
                  .getJsonArray("applied"))
          .isEmpty();
      assertThat(other.get("/activities").bodyAsJsonObject().getLong("count")).isZero();
    }
    assertThat(fx.get("/activities/" + mine).bodyAsJsonObject().getString("status"))
        .isEqualTo("queued");
  }

  /** Verifies that computers are listed and shown. */
  @Test
  void showsComputers() {
    JsonArray computers = fx.get("/computers").bodyAsJsonObject().getJsonArray("results");
    assertThat(computers)
        .extracting(o -> ((JsonObject) o).getString("title"))
        .contains("box1", "box2");
    JsonObject one = fx.get("/computers/" + box1).bodyAsJsonObject();
    assertThat(one.getString("hostname")).isEqualTo("box1.local");
    assertThat(one.getString("registered_at")).isEqualTo("2030-01-01T00:00:00Z");
  }

  /** Verifies that /health answers 200 without a token while the database answers. */
  @Test
  void healthNeedsNoToken() {
    HttpResponse<Buffer> health = await(fx.http.get("/health").send());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("ok");
  }

  private static List<Long> ids(String query) {
    JsonObject page =
        await(fx.api(HttpMethod.GET, "/activities").addQueryParam("query", query).send())
            .bodyAsJsonObject();
    return page.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }

  private static List<Long> longs(JsonArray array) {
    return array.stream().map(o -> ((Number) o).longValue()).toList();
  }
}
