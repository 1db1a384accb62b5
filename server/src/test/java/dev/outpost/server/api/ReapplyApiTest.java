package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /activities/reapply over real HTTP against the real database. */
@ExtendWith(VertxExtension.class)
class ReapplyApiTest {

  private static ServerFixture fx;
  private static long box1;
  private static long box2;
  private static long box3;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    box1 = fx.computer("box1");
    box2 = fx.computer("box2");
    box3 = fx.computer("box3");
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that reapplying a group creates a new Queued group for the same computers, type and
   * parameters, recording what it redoes.
   */
  @Test
  void reapplyRedoesAWholeGroup() {
    JsonObject group = createGroup(fx, box1, box2);
    List<Long> oldChildren = childIds(group);
    finish(fx, oldChildren.get(0), Status.FAILED);

    HttpResponse<Buffer> response = reapply(fx, group.getLong("id"), false);

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    JsonObject again = response.bodyAsJsonObject();
    assertThat(again.getLong("id")).isNotEqualTo(group.getLong("id"));
    assertThat(again.getString("type")).isEqualTo("ActivityGroup");
    assertThat(again.getString("status")).isEqualTo("queued");
    assertThat(again.getLong("reapplied_from")).isEqualTo(group.getLong("id"));
    assertThat(again.getJsonObject("parameters")).isEqualTo(group.getJsonObject("parameters"));
    JsonArray children = again.getJsonArray("children");
    assertThat(children).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonObject child = children.getJsonObject(i);
      assertThat(child.getString("type")).isEqualTo("ExecuteScriptRequest");
      assertThat(child.getString("status")).isEqualTo("queued");
      assertThat(child.getLong("computer_id")).isEqualTo(i == 0 ? box1 : box2);
      assertThat(child.getLong("reapplied_from")).isEqualTo(oldChildren.get(i));
      assertThat(child.containsKey("parameters")).as("the group carries them").isFalse();
    }
    JsonObject created =
        fx.get("/activities/" + children.getJsonObject(0).getLong("id") + "/events")
            .bodyAsJsonObject()
            .getJsonArray("results")
            .getJsonObject(0);
    assertThat(created.getString("to")).isEqualTo("queued");
    assertThat(created.getString("reason"))
        .isEqualTo("reapplied from activity " + oldChildren.get(0));
    assertThat(fx.get("/activities/" + group.getLong("id")).bodyAsJsonObject().getString("status"))
        .as("the original is left as it was")
        .isEqualTo("in-progress");
  }

  /**
   * Verifies that failed_only reapplies only on the computers whose children failed: a group for
   * several, one activity for one.
   */
  @Test
  void reapplyFailedOnlyTargetsTheFailedComputers() {
    JsonObject group = createGroup(fx, box1, box2, box3);
    List<Long> oldChildren = childIds(group);
    finish(fx, oldChildren.get(0), Status.FAILED);
    finish(fx, oldChildren.get(1), Status.SUCCEEDED);
    finish(fx, oldChildren.get(2), Status.FAILED);

    JsonObject again = reapply(fx, group.getLong("id"), true).bodyAsJsonObject();
    assertThat(again.getString("type")).isEqualTo("ActivityGroup");
    assertThat(
            again.getJsonArray("children").stream()
                .map(o -> ((JsonObject) o).getLong("computer_id"))
                .toList())
        .containsExactly(box1, box3);

    JsonObject once = createGroup(fx, box1, box2);
    finish(fx, childIds(once).get(1), Status.FAILED);
    JsonObject single = reapply(fx, once.getLong("id"), true).bodyAsJsonObject();
    assertThat(single.getString("type")).isEqualTo("ExecuteScriptRequest");
    assertThat(single.getLong("computer_id")).isEqualTo(box2);
    assertThat(single.getLong("reapplied_from")).isEqualTo(once.getLong("id"));
    assertThat(single.getValue("parent_id")).isNull();
  }

  /**
   * Verifies that failed_only with nothing failed is a 400, and that one activity reapplies to its
   * own computer.
   */
  @Test
  void reapplyOfOneActivityAndNothingFailed() {
    JsonObject group = createGroup(fx, box1, box2);
    assertBadRequest(reapply(fx, group.getLong("id"), true), "nothing failed");

    long alone = fx.post("/activities", script(box3)).bodyAsJsonObject().getLong("id");
    assertBadRequest(reapply(fx, alone, true), "nothing failed");
    JsonObject again = reapply(fx, alone, false).bodyAsJsonObject();
    assertThat(again.getString("type")).isEqualTo("ExecuteScriptRequest");
    assertThat(again.getLong("computer_id")).isEqualTo(box3);
    assertThat(again.getLong("reapplied_from")).isEqualTo(alone);
    assertThat(again.getString("summary")).isEqualTo("Execute script");
    JsonArray events =
        fx.get("/activities/" + again.getLong("id") + "/events")
            .bodyAsJsonObject()
            .getJsonArray("results");
    assertThat(events.getJsonObject(0).getString("reason"))
        .isEqualTo("reapplied from activity " + alone);
    assertThat(fx.get("/activities/" + alone).bodyAsJsonObject().getValue("reapplied_from"))
        .isNull();
  }

  /**
   * Verifies that a server activity reapplies without computers, Queued, and the job-handler runs
   * it.
   */
  @Test
  void reapplyOfAServerActivity() {
    long archive =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ArchiveRequest")
                    .put("parameters", new JsonObject().put("older_than_days", 3650))
                    .put("requires_approval", true))
            .bodyAsJsonObject()
            .getLong("id");

    JsonObject again = reapply(fx, archive, false).bodyAsJsonObject();

    assertThat(again.getString("kind")).isEqualTo("server");
    assertThat(again.getValue("computer_id")).isNull();
    assertThat(again.getLong("reapplied_from")).isEqualTo(archive);
    assertThat(again.getJsonObject("parameters").getInteger("older_than_days")).isEqualTo(3650);
    TestSupport.eventually(
        10,
        () ->
            "succeeded"
                .equals(
                    fx.get("/activities/" + again.getLong("id"))
                        .bodyAsJsonObject()
                        .getString("status")));
  }

  /**
   * Verifies that another account's activity, or none, is 404, and a malformed body or a removed
   * computer is refused.
   */
  @Test
  void reapplyRefusesWhatItCannotDo(Vertx vertx) {
    long mine = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");
    try (ServerFixture other = new ServerFixture(vertx)) {
      HttpResponse<Buffer> peek = reapply(other, mine, false);
      assertThat(peek.statusCode()).isEqualTo(404);
      assertThat(peek.bodyAsString()).doesNotContain("echo hi");
      assertThat(other.get("/activities").bodyAsJsonObject().getLong("count")).isZero();
    }
    assertThat(reapply(fx, 999_999_999L, false).statusCode()).isEqualTo(404);
    assertBadRequest(fx.post("/activities/reapply", new JsonObject().put("id", "x")), "id");
    assertBadRequest(
        fx.post("/activities/reapply", new JsonObject().put("id", mine).put("failed", true)),
        "failed");
    assertBadRequest(
        fx.post("/activities/reapply", new JsonObject().put("id", mine).put("failed_only", "yes")),
        "failed_only");

    long gone = fx.computer("gone");
    long onGone = fx.post("/activities", script(gone)).bodyAsJsonObject().getLong("id");
    await(
        fx.server
            .pool()
            .preparedQuery("UPDATE computers SET removed_at = now() WHERE id = $1")
            .execute(Tuple.of(gone)));
    HttpResponse<Buffer> removed = reapply(fx, onGone, false);
    assertThat(removed.statusCode()).isEqualTo(409);
    assertThat(removed.bodyAsJsonObject().getString("message")).contains("[" + gone + "]");
  }

  /**
   * Verifies that several activities reapply at once, answered in the order named, and that one
   * that cannot be reapplied refuses them all, naming it.
   */
  @Test
  void reapplyOfSeveralIsAllOrNothing() {
    long alone = fx.post("/activities", script(box1)).bodyAsJsonObject().getLong("id");
    long group = createGroup(fx, box2, box3).getLong("id");
    long before = fx.get("/activities?limit=1").bodyAsJsonObject().getLong("count");

    assertThat(reapplyMany(new JsonArray().add(alone).add(group).add(999_999_999L)).statusCode())
        .isEqualTo(404);
    HttpResponse<Buffer> nothingFailed =
        fx.post(
            "/activities/reapply",
            new JsonObject()
                .put("ids", new JsonArray().add(group).add(alone))
                .put("failed_only", true));
    assertBadRequest(nothingFailed, "activity " + group + " has nothing failed");
    assertBadRequest(reapplyMany(new JsonArray().add(alone).add(alone)), "[" + alone + "]");
    assertBadRequest(reapplyMany(new JsonArray()), "not 0");
    assertBadRequest(
        fx.post(
            "/activities/reapply",
            new JsonObject().put("id", alone).put("ids", new JsonArray().add(group))),
        "exactly one of 'id' or 'ids'");
    assertThat(fx.get("/activities?limit=1").bodyAsJsonObject().getLong("count"))
        .as("nothing was created")
        .isEqualTo(before);

    HttpResponse<Buffer> both = reapplyMany(new JsonArray().add(group).add(alone));

    assertThat(both.statusCode()).as(both.bodyAsString()).isEqualTo(201);
    JsonArray results = both.bodyAsJsonObject().getJsonArray("results");
    assertThat(results).hasSize(2);
    assertThat(results.getJsonObject(0).getLong("reapplied_from")).isEqualTo(group);
    assertThat(results.getJsonObject(0).getJsonArray("children")).hasSize(2);
    assertThat(results.getJsonObject(1).getLong("reapplied_from")).isEqualTo(alone);
    assertThat(results.getJsonObject(1).getLong("computer_id")).isEqualTo(box1);
  }

  private static HttpResponse<Buffer> reapplyMany(JsonArray ids) {
    return fx.post("/activities/reapply", new JsonObject().put("ids", ids));
  }

  private static HttpResponse<Buffer> reapply(ServerFixture on, long id, boolean failedOnly) {
    return on.post(
        "/activities/reapply", new JsonObject().put("id", id).put("failed_only", failedOnly));
  }

  private static JsonObject createGroup(ServerFixture on, long... computers) {
    HttpResponse<Buffer> created = on.post("/activities", script(computers));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static List<Long> childIds(JsonObject group) {
    return group.getJsonArray("children").stream()
        .map(o -> ((JsonObject) o).getLong("id"))
        .toList();
  }

  /** Drives a Queued client activity through In Progress to a final state, as results would. */
  private static void finish(ServerFixture on, long id, Status end) {
    for (Status to : List.of(Status.IN_PROGRESS, end)) {
      await(on.server.activities().transitionOne(on.accountId, id, to, "test", "result"));
    }
  }
}
