package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Activities whose computers a query chooses, once, when they are created. */
@ExtendWith(VertxExtension.class)
class TargetByQueryApiTest {

  private static final int MAX_TARGETS = 4;

  private static ServerFixture fx;
  private static ServerFixture other;
  private static long web1;
  private static long web2;
  private static long db1;
  private static long mail;
  private static long spare;

  @BeforeAll
  static void start(Vertx vertx) {
    Map<String, String> env = Map.of("OUTPOST_MAX_TARGETS", String.valueOf(MAX_TARGETS));
    fx = new ServerFixture(vertx, env, Map.of());
    other = new ServerFixture(vertx, env, Map.of());
    web1 = fx.computer("web-1");
    web2 = fx.computer("web-2");
    db1 = fx.computer("db-1");
    mail = fx.computer("mail");
    spare = fx.computer("spare");
    tag(fx, web1, "web");
    tag(fx, web2, "web");
    long theirs = other.computer("db-1");
    tag(other, theirs, "web");
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId, other.accountId);
    other.close();
    fx.close();
  }

  /**
   * Verifies that a query creates a child for exactly each computer of the account it selects, none
   * of another account's, and that the group shows its query, in itself and in the parents'
   * listing.
   */
  @Test
  void aQueryTargetsExactlyTheComputersItSelects() {
    JsonObject group =
        fx.post("/activities", script().put("query", "tag:web OR title:db-*")).bodyAsJsonObject();

    assertThat(group.getString("type")).isEqualTo("ActivityGroup");
    assertThat(group.getString("query")).isEqualTo("tag:web OR title:db-*");
    assertThat(group.getBoolean("all_computers")).isFalse();
    assertThat(computersOf(group)).containsExactly(web1, web2, db1);
    JsonObject listed =
        fx.get("/activities/parents?query=id:" + group.getLong("id"))
            .bodyAsJsonObject()
            .getJsonArray("results")
            .getJsonObject(0);
    assertThat(listed.getString("query")).isEqualTo("tag:web OR title:db-*");
    assertThat(fx.get("/activities/" + group.getLong("id")).bodyAsJsonObject().getString("query"))
        .isEqualTo("tag:web OR title:db-*");
  }

  /** Verifies that a query selecting one computer creates one activity, which keeps the query. */
  @Test
  void aQuerySelectingOneComputerCreatesOneActivity() {
    JsonObject one = fx.post("/activities", script().put("query", "title:mail")).bodyAsJsonObject();

    assertThat(one.getString("type")).isEqualTo("ExecuteScriptRequest");
    assertThat(one.getLong("computer_id")).isEqualTo(mail);
    assertThat(one.getString("query")).isEqualTo("title:mail");
  }

  /**
   * Verifies that all_computers targets every computer of the account, and that past the target cap
   * it is a 400 naming the cap.
   */
  @Test
  void allComputersTargetsTheAccountsComputersUpToTheCap() {
    assertBadRequest(
        fx.post("/activities", script().put("all_computers", true)), "OUTPOST_MAX_TARGETS");

    JsonObject group =
        fx.post("/activities", script().put("query", "NOT title:spare").put("max_concurrency", 2))
            .bodyAsJsonObject();
    assertThat(computersOf(group)).containsExactly(web1, web2, db1, mail);
    assertThat(group.getInteger("max_concurrency")).isEqualTo(2);

    JsonObject theirs =
        other.post("/activities", script().put("all_computers", true)).bodyAsJsonObject();
    assertThat(theirs.getValue("query")).isNull();
    assertThat(theirs.getBoolean("all_computers")).isTrue();
    assertThat(theirs.getLong("computer_id")).isNotIn(web1, web2, db1, mail, spare);
  }

  /** Verifies the refusals: nothing selected, a bad query, several targets, a server type. */
  @Test
  void refusesWhatCannotBeTargeted() {
    long before = activitiesOf(fx);

    assertBadRequest(
        fx.post("/activities", script().put("query", "tag:nowhere")),
        "'tag:nowhere' selects no computer");
    assertBadRequest(fx.post("/activities", script().put("query", "colour:red")), "'colour:'");
    assertBadRequest(fx.post("/activities", script().put("query", "  ")), "all_computers");
    assertBadRequest(
        fx.post(
            "/activities",
            script().put("query", "tag:web").put("computer_ids", new JsonArray().add(web1))),
        "not several");
    assertBadRequest(
        fx.post("/activities", script().put("query", "tag:web").put("all_computers", true)),
        "not several");
    assertBadRequest(
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ArchiveRequest")
                .put("parameters", new JsonObject().put("older_than_days", 1))
                .put("query", "tag:web")),
        "takes no 'query'");
    assertBadRequest(
        fx.post("/activities", script().put("query", "title:mail").put("max_errors", 1)),
        "need several computers");
    assertThat(activitiesOf(fx)).isEqualTo(before);
  }

  private static JsonObject script() {
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("parameters", new JsonObject().put("code", "echo hi"));
  }

  private static List<Long> computersOf(JsonObject group) {
    return group.getJsonArray("children").stream()
        .map(child -> ((JsonObject) child).getLong("computer_id"))
        .toList();
  }

  private static long activitiesOf(ServerFixture fixture) {
    return fixture.get("/activities?limit=1").bodyAsJsonObject().getLong("count");
  }

  private static void tag(ServerFixture fixture, long computer, String tag) {
    assertThat(
            fixture
                .patch(
                    "/computers/" + computer,
                    new JsonObject().put("tags", new JsonArray().add(tag)))
                .statusCode())
        .isEqualTo(200);
  }
}
