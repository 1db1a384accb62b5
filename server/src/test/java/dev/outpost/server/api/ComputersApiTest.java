package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
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

/** Computers by query, their titles and tags changed one at a time and in bulk. */
@ExtendWith(VertxExtension.class)
class ComputersApiTest {

  private static final int MAX_TAGS = 3;

  private static ServerFixture fx;
  private static long web1;
  private static long web2;
  private static long db1;
  private static long spare;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of("OUTPOST_MAX_TAGS", String.valueOf(MAX_TAGS)), Map.of());
    web1 = fx.computer("web-1");
    web2 = fx.computer("web-2");
    db1 = fx.computer("db-1");
    spare = fx.computer("spare");
    tag(web1, "web", "eu");
    tag(web2, "web");
    tag(db1, "db");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a query selects the computers listed, counted, paged by id upwards with 'after'
   * and newest first with 'before', as activities page.
   */
  @Test
  void listsComputersByQueryWithPagingAndCount() {
    JsonObject first =
        fx.get("/computers?query=tag:web%20OR%20title:db-*&limit=2").bodyAsJsonObject();

    assertThat(ids(first)).containsExactly(web1, web2);
    assertThat(first.getLong("count")).isEqualTo(3);
    assertThat(first.getBoolean("count_capped")).isFalse();
    assertThat(first.getLong("next")).isEqualTo(web2);
    JsonObject last =
        fx.get("/computers?query=tag:web%20OR%20title:db-*&limit=2&after=" + web2)
            .bodyAsJsonObject();
    assertThat(ids(last)).containsExactly(db1);
    assertThat(last.getValue("next")).isNull();

    JsonObject newest =
        fx.get("/computers?query=NOT%20tag:eu&limit=2&count=false&before=" + (spare + 1))
            .bodyAsJsonObject();
    assertThat(ids(newest)).containsExactly(spare, db1);
    assertThat(newest.getValue("count")).isNull();
    assertThat(newest.getLong("next")).isEqualTo(db1);
    JsonObject older =
        fx.get("/computers?query=NOT%20tag:eu&limit=2&before=" + db1).bodyAsJsonObject();
    assertThat(ids(older)).containsExactly(web2);
  }

  /** Verifies that a bad term, or both cursors at once, is a 400 naming it. */
  @Test
  void refusesBadQueriesByName() {
    assertBadRequest(fx.get("/computers?query=colour:red"), "'colour:'");
    assertBadRequest(fx.get("/computers?query=pending:maybe"), "'maybe'");
    assertBadRequest(fx.get("/computers?before=5&after=2"), "'before' and 'after'");
  }

  /** Verifies that PATCH changes the title and the tags, and refuses bad ones by name. */
  @Test
  void patchChangesTitleAndTags() {
    long box = fx.computer("box");

    JsonObject changed =
        fx.patch(
                "/computers/" + box,
                new JsonObject()
                    .put("title", "box (renamed)")
                    .put("tags", new JsonArray().add("a-1").add("b_2.x").add("a-1")))
            .bodyAsJsonObject();

    assertThat(changed.getString("title")).isEqualTo("box (renamed)");
    assertThat(changed.getJsonArray("tags")).containsExactly("a-1", "b_2.x");
    JsonObject retitled =
        fx.patch("/computers/" + box, new JsonObject().put("title", "box")).bodyAsJsonObject();
    assertThat(retitled.getJsonArray("tags")).containsExactly("a-1", "b_2.x");

    assertBadRequest(
        fx.patch(
            "/computers/" + box, new JsonObject().put("tags", new JsonArray().add("no space"))),
        "'no space'");
    assertBadRequest(
        fx.patch(
            "/computers/" + box, new JsonObject().put("tags", new JsonArray().add("x".repeat(65)))),
        "1 to 64");
    assertBadRequest(
        fx.patch(
            "/computers/" + box,
            new JsonObject().put("tags", new JsonArray(List.of("a", "b", "c", "d")))),
        "OUTPOST_MAX_TAGS");
    assertBadRequest(
        fx.patch("/computers/" + box, new JsonObject().put("tags", new JsonArray().add(7))),
        "'tags'");
    assertBadRequest(fx.patch("/computers/" + box, new JsonObject().put("title", " ")), "'title'");
    assertBadRequest(
        fx.patch("/computers/" + box, new JsonObject().put("colour", "red")), "'colour'");
    assertThat(fx.get("/computers/" + box).bodyAsJsonObject().getString("title")).isEqualTo("box");
    assertThat(
            fx.patch("/computers/" + (box + 1_000_000), new JsonObject().put("title", "x"))
                .statusCode())
        .isEqualTo(404);
  }

  /** Verifies that another account's computer is a 404, and is left as it was. */
  @Test
  void anotherAccountsComputerIsNotFound(Vertx vertx) {
    try (ServerFixture other = new ServerFixture(vertx)) {
      assertThat(other.patch("/computers/" + web1, new JsonObject().put("title", "x")).statusCode())
          .isEqualTo(404);
      JsonObject none =
          other
              .post(
                  "/computers/tags",
                  new JsonObject().put("query", "").put("add", new JsonArray().add("x")))
              .bodyAsJsonObject();
      assertThat(none.getLong("selected")).isZero();
    }
    assertThat(fx.get("/computers/" + web1).bodyAsJsonObject().getString("title"))
        .isEqualTo("web-1");
  }

  /**
   * Verifies that tags are added to and removed from the computers a query selects, answering how
   * many it selected and changed, and that a computer pushed past the cap changes none.
   */
  @Test
  void bulkTagsChangeTheSelectedComputers() {
    long a = fx.computer("bulk-a");
    long b = fx.computer("bulk-b");
    tag(b, "old", "keep");

    JsonObject added =
        fx.post(
                "/computers/tags",
                new JsonObject()
                    .put("query", "title:bulk-*")
                    .put("add", new JsonArray().add("new"))
                    .put("remove", new JsonArray().add("old")))
            .bodyAsJsonObject();

    assertThat(added.getLong("selected")).isEqualTo(2);
    assertThat(added.getLong("changed")).isEqualTo(2);
    assertThat(tags(a)).containsExactly("new");
    assertThat(tags(b)).containsExactly("keep", "new");
    JsonObject again =
        fx.post(
                "/computers/tags",
                new JsonObject()
                    .put("query", "title:bulk-*")
                    .put("add", new JsonArray().add("new")))
            .bodyAsJsonObject();
    assertThat(again.getLong("changed")).isZero();

    assertBadRequest(
        fx.post(
            "/computers/tags",
            new JsonObject()
                .put("query", "title:bulk-*")
                .put("add", new JsonArray().add("x").add("y"))),
        "[" + b + "] would carry more than " + MAX_TAGS);
    assertThat(tags(a)).containsExactly("new");
    assertBadRequest(
        fx.post(
            "/computers/tags",
            new JsonObject()
                .put("query", "title:bulk-*")
                .put("add", new JsonArray().add("x"))
                .put("remove", new JsonArray().add("x"))),
        "both added and removed");
    assertBadRequest(
        fx.post("/computers/tags", new JsonObject().put("query", "title:bulk-*")), "'add'");
    assertBadRequest(
        fx.post(
            "/computers/tags",
            new JsonObject().put("query", "bogus:1").put("add", new JsonArray().add("x"))),
        "'bogus:'");
    assertBadRequest(
        fx.post("/computers/tags", new JsonObject().put("add", new JsonArray().add("x"))),
        "'query'");
  }

  private static void tag(long computer, String... tags) {
    assertThat(
            fx.patch(
                    "/computers/" + computer,
                    new JsonObject().put("tags", new JsonArray(List.of(tags))))
                .statusCode())
        .isEqualTo(200);
  }

  private static List<Object> tags(long computer) {
    return fx.get("/computers/" + computer).bodyAsJsonObject().getJsonArray("tags").getList();
  }

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }
}
