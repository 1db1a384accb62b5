package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.activity.ActivityStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Groups' child counts and the list of parents, over real HTTP against the real database. */
@ExtendWith(VertxExtension.class)
class GroupsApiTest {

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
    fx.close();
  }

  /**
   * Verifies that a group shows its children counted per status, every status present, in GET one
   * and in listings.
   */
  @Test
  void aGroupCountsItsChildrenByStatus() {
    JsonObject group = createGroup(fx, box1, box2, box3);
    List<Long> children = childIds(group);
    finish(fx, children.get(0), Status.FAILED);
    finish(fx, children.get(1), Status.SUCCEEDED);

    JsonObject shown = fx.get("/activities/" + group.getLong("id")).bodyAsJsonObject();

    assertThat(shown.getString("status")).isEqualTo("in-progress");
    assertThat(shown.getJsonObject("children_by_status").getMap())
        .containsExactly(
            entry("queued", 1),
            entry("scheduled", 0),
            entry("waiting", 0),
            entry("blocked", 0),
            entry("in-progress", 0),
            entry("failed", 1),
            entry("canceled", 0),
            entry("succeeded", 1));
    JsonObject listed =
        fx.get("/activities?query=id:" + group.getLong("id"))
            .bodyAsJsonObject()
            .getJsonArray("results")
            .getJsonObject(0);
    assertThat(listed.getJsonObject("children_by_status"))
        .isEqualTo(shown.getJsonObject("children_by_status"));
    JsonObject child = fx.get("/activities/" + children.get(0)).bodyAsJsonObject();
    assertThat(child.containsKey("children_by_status")).isFalse();
  }

  /**
   * Verifies that a group with more children than one read carries comes back, created and read,
   * with the first of them by id, while children_by_status counts them all and a parent-id: listing
   * finds every one.
   */
  @Test
  void aLargeGroupShowsItsFirstChildrenAndCountsThemAll() {
    int many = ActivityStore.MAX_CHILDREN + 1;
    long[] computers =
        await(
                fx.server
                    .pool()
                    .preparedQuery(
                        """
            INSERT INTO computers (account_id, title, registered_at)
            SELECT $1, 'many-' || i, now() FROM generate_series(1, $2) AS i RETURNING id
            """)
                    .execute(Tuple.of(fx.accountId, many)))
            .stream()
            .mapToLong(row -> row.getLong(0))
            .toArray();

    JsonObject created = createGroup(fx, computers);
    JsonObject shown = fx.get("/activities/" + created.getLong("id")).bodyAsJsonObject();

    for (JsonObject group : List.of(created, shown)) {
      List<Long> children = childIds(group);
      assertThat(children).hasSize(ActivityStore.MAX_CHILDREN).isSorted();
      assertThat(group.getJsonObject("children_by_status").getInteger("queued")).isEqualTo(many);
    }
    String children =
        "/activities?query=parent-id:" + created.getLong("id") + "&limit=1000&count=false";
    JsonObject first = fx.get(children).bodyAsJsonObject();
    JsonObject rest = fx.get(children + "&before=" + first.getLong("next")).bodyAsJsonObject();
    assertThat(first.getJsonArray("results").size() + rest.getJsonArray("results").size())
        .isEqualTo(many);
    assertThat(rest.getValue("next")).isNull();
  }

  /**
   * Verifies that a group's children come without parameters, in the answer to its creation and to
   * GET, while the group and a child read alone carry them.
   */
  @Test
  void aGroupsChildrenCarryNoParameters() {
    JsonObject group = createGroup(fx, box1, box2);
    JsonObject shown = fx.get("/activities/" + group.getLong("id")).bodyAsJsonObject();

    for (JsonObject answer : List.of(group, shown)) {
      assertThat(answer.getJsonObject("parameters").getString("code")).isEqualTo("echo hi");
      assertThat(answer.getJsonArray("children"))
          .hasSize(2)
          .allSatisfy(
              child -> {
                assertThat(((JsonObject) child).containsKey("parameters")).isFalse();
                assertThat(((JsonObject) child).getString("type"))
                    .isEqualTo("ExecuteScriptRequest");
              });
    }
    long child = childIds(group).get(0);
    assertThat(
            fx.get("/activities/" + child)
                .bodyAsJsonObject()
                .getJsonObject("parameters")
                .getString("code"))
        .isEqualTo("echo hi");
  }

  /**
   * Verifies that /activities/parents lists only groups, newest first, with the list's query and
   * paging.
   */
  @Test
  void parentsListsOnlyGroups(Vertx vertx) {
    try (ServerFixture own = new ServerFixture(vertx)) {
      long a = own.computer("a");
      long b = own.computer("b");
      long older = createGroup(own, a, b).getLong("id");
      own.post("/activities", script(a));
      JsonObject newer = createGroup(own, a, b);
      finish(own, childIds(newer).get(0), Status.FAILED);

      JsonObject all = own.get("/activities/parents").bodyAsJsonObject();
      assertThat(ids(all)).containsExactly(newer.getLong("id"), older);
      assertThat(all.getLong("count")).isEqualTo(2);
      assertThat(
              all.getJsonArray("results")
                  .getJsonObject(0)
                  .getJsonObject("children_by_status")
                  .getInteger("failed"))
          .isEqualTo(1);
      assertThat(ids(own.get("/activities/parents?query=status:in-progress").bodyAsJsonObject()))
          .containsExactly(newer.getLong("id"));
      assertThat(
              ids(own.get("/activities/parents?query=NOT%20status:in-progress").bodyAsJsonObject()))
          .containsExactly(older);
      JsonObject first = own.get("/activities/parents?limit=1").bodyAsJsonObject();
      assertThat(ids(first)).containsExactly(newer.getLong("id"));
      JsonObject second =
          own.get("/activities/parents?limit=1&before=" + first.getLong("next")).bodyAsJsonObject();
      assertThat(ids(second)).containsExactly(older);
      assertThat(second.getValue("next")).isNull();
      assertThat(ids(own.get("/activities?query=type:ActivityGroup").bodyAsJsonObject()))
          .containsExactly(newer.getLong("id"), older);
      assertBadRequest(own.get("/activities/parents?query=status:bogus"), "bogus");
    }
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

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }

  private static Map.Entry<String, Object> entry(String status, int count) {
    return Map.entry(status, count);
  }
}
