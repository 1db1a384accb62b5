package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The query language and paging of GET /activities, over real HTTP against the real database. */
@ExtendWith(VertxExtension.class)
class QueryApiTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that created-after is inclusive, created-before exclusive, and a date is its midnight
   * UTC.
   */
  @Test
  void createdAfterAndBeforeBoundTheCreationTime() {
    long box = fx.computer("dated");
    long first = createAt(box, "2030-01-01T00:00:00Z");
    long second = createAt(box, "2030-01-02T10:00:00Z");
    long third = createAt(box, "2030-01-03T00:00:00Z");
    String mine = "computer-id:" + box + " ";

    assertThat(ids(mine + "created-after:2030-01-02")).containsExactly(third, second);
    assertThat(ids(mine + "created-before:2030-01-02T10:00:00Z")).containsExactly(first);
    assertThat(ids(mine + "created-after:2030-01-02 created-before:2030-01-03"))
        .containsExactly(second);
    assertThat(ids(mine + "created-after:2030-01-02T11:00:00+01:00"))
        .containsExactly(third, second);
    assertThat(ids(mine + "created-before:2030-01-01")).isEmpty();
  }

  /**
   * Verifies that creator: matches the administrator who created the activity (its email), exactly.
   */
  @Test
  void creatorMatchesExactly() {
    long box = fx.computer("created-by");
    String alice = TestSupport.unique("alice") + "@example.com";
    long aliceId =
        fx.post(
                "/administrators",
                new JsonObject().put("email", alice).put("roles", new JsonArray().add("operator")))
            .bodyAsJsonObject()
            .getLong("id");
    String aliceToken =
        fx.post("/tokens", new JsonObject().put("name", "alice's").put("administrator_id", aliceId))
            .bodyAsJsonObject()
            .getString("secret");
    long byAdmin = create(box);
    long byAlice =
        await(
                fx.api(HttpMethod.POST, "/activities")
                    .bearerTokenAuthentication(aliceToken)
                    .sendJsonObject(script(box)))
            .bodyAsJsonObject()
            .getLong("id");

    assertThat(ids("computer-id:" + box + " creator:\"" + alice + "\"")).containsExactly(byAlice);
    assertThat(ids("computer-id:" + box + " creator:\"" + AccountStore.BOOTSTRAP_EMAIL + "\""))
        .containsExactly(byAdmin);
    assertThat(ids("computer-id:" + box + " creator:alice")).isEmpty();
  }

  /** Verifies that computer: matches by id, by exact title and by tag. */
  @Test
  void computerMatchesByIdTitleAndTag() {
    String prefix = TestSupport.unique("web");
    long web1 = tagged(prefix + "-1", prefix, "eu");
    long web2 = tagged(prefix + " (2)", prefix);
    long db = tagged(prefix + "-db", prefix + "-db");
    long onWeb1 = create(web1);
    long onWeb2 = create(web2);
    long onDb = create(db);

    assertThat(ids("computer:tag:" + prefix)).containsExactly(onWeb2, onWeb1);
    assertThat(ids("computer:tag:" + prefix + " computer:tag:eu")).containsExactly(onWeb1);
    assertThat(ids("computer:title:" + prefix + "-1")).containsExactly(onWeb1);
    assertThat(ids("computer:title:\"" + prefix + " (2)\"")).containsExactly(onWeb2);
    assertThat(ids("computer:id:" + db)).containsExactly(onDb);
    assertThat(ids("computer:tag:" + prefix + " OR computer:id:" + db))
        .containsExactly(onDb, onWeb2, onWeb1);
    assertThat(ids("computer:tag:nobody-has-this-tag")).isEmpty();
  }

  /**
   * Verifies OR, NOT and parentheses, and that AND binds tighter than OR: {@code a b OR c} is
   * {@code (a b) OR c}, never {@code a (b OR c)}.
   */
  @Test
  void orNotAndParenthesesCombineTerms() {
    long box = fx.computer("logic");
    long failedScript = create(box);
    finish(failedScript, Status.FAILED);
    long failedRestart = createRestart(box);
    finish(failedRestart, Status.FAILED);
    long canceledRestart = createRestart(box);
    fx.post(
        "/activities/cancel", new JsonObject().put("ids", new JsonArray().add(canceledRestart)));
    long queuedScript = create(box);
    String on = "computer-id:" + box;

    assertThat(ids(on + " status:failed type:ExecuteScriptRequest OR " + on + " status:canceled"))
        .containsExactly(canceledRestart, failedScript);
    assertThat(ids(on + " (status:failed OR status:canceled) type:RestartRequest"))
        .containsExactly(canceledRestart, failedRestart);
    assertThat(ids(on + " status:failed OR status:canceled type:RestartRequest"))
        .as("AND binds tighter: every canceled restart of the account matches")
        .contains(canceledRestart, failedRestart, failedScript)
        .doesNotContain(queuedScript);
    assertThat(ids(on + " NOT status:failed")).containsExactly(queuedScript, canceledRestart);
    assertThat(ids(on + " NOT (status:failed OR type:ExecuteScriptRequest)"))
        .containsExactly(canceledRestart);
    assertThat(ids(on + " status:failed AND NOT type:ExecuteScriptRequest"))
        .containsExactly(failedRestart);
    assertThat(ids(on + " not status:failed or " + on + " status:failed type:RestartRequest"))
        .containsExactly(queuedScript, canceledRestart, failedRestart);
  }

  /**
   * Verifies that NOT also matches rows where the negated column is empty: top-level activities and
   * groups.
   */
  @Test
  void notMatchesWhereTheColumnIsEmpty() {
    long box = fx.computer("not-null");
    long other = fx.computer("not-null-2");
    JsonObject group = fx.post("/activities", script(box, other)).bodyAsJsonObject();
    long child = group.getJsonArray("children").getJsonObject(0).getLong("id");
    long alone = create(box);

    assertThat(ids("computer-id:" + box + " NOT parent-id:" + group.getLong("id")))
        .containsExactly(alone);
    assertThat(ids("computer-id:" + box + " NOT parent-id:" + alone)).containsExactly(alone, child);
    assertThat(ids("id:" + group.getLong("id") + " NOT status:failed"))
        .containsExactly(group.getLong("id"));
    assertThat(ids("id:" + group.getLong("id") + " NOT computer:tag:web"))
        .containsExactly(group.getLong("id"));
  }

  /**
   * Verifies that unknown terms and values, dangling operators and unbalanced parentheses are 400s
   * naming them.
   */
  @Test
  void malformedQueriesAreRefusedByName() {
    assertBadRequest(list("status:failed OR"), "'OR'");
    assertBadRequest(list("OR status:failed"), "'OR'");
    assertBadRequest(list("status:failed NOT"), "'NOT'");
    assertBadRequest(list("(status:failed"), "'('");
    assertBadRequest(list("status:failed)"), "')'");
    assertBadRequest(list("creator:"), "creator:");
    assertBadRequest(list("computer:hostname:x"), "hostname");
    assertBadRequest(list("created-after:yesterday"), "yesterday");
    assertBadRequest(list("colour:red"), "colour");
    assertBadRequest(fx.post("/activities/cancel", new JsonObject().put("query", "NOT")), "'NOT'");
    assertBadRequest(fx.get("/activities?before=x"), "before");
    assertBadRequest(fx.get("/activities?before=0"), "before");
    assertBadRequest(fx.get("/activities?count=maybe"), "count");
  }

  /**
   * Verifies that walking 50 activities with limit 7 and each page's {@code next} as the following
   * {@code before} sees every one exactly once, newest first, and ends with a null {@code next}.
   */
  @Test
  void keysetPagesWalkEveryActivityOnce() {
    long box = fx.computer("walked");
    List<Long> created = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      created.add(create(box));
    }
    List<Long> newestFirst = new ArrayList<>(created);
    Collections.reverse(newestFirst);

    List<Long> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    Long before = null;
    do {
      HttpRequest<Buffer> request =
          fx.api(HttpMethod.GET, "/activities")
              .addQueryParam("query", "computer-id:" + box)
              .addQueryParam("limit", "7")
              .addQueryParam("count", "false");
      if (before != null) {
        request.addQueryParam("before", before.toString());
      }
      JsonObject page = await(request.send()).bodyAsJsonObject();
      assertThat(page.getValue("count")).isNull();
      assertThat(page.getValue("count_capped")).isNull();
      List<Long> ids = ids(page);
      sizes.add(ids.size());
      seen.addAll(ids);
      before = page.getLong("next");
      if (before != null) {
        assertThat(before).isEqualTo(ids.get(ids.size() - 1));
      }
    } while (before != null);

    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(sizes).containsExactly(7, 7, 7, 7, 7, 7, 7, 1);
  }

  /** Verifies that offset pages still work, carry the keyset cursor, and count all matches. */
  @Test
  void offsetPagesCarryTheCursorAndTheCount() {
    long box = fx.computer("offset");
    List<Long> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(create(box));
    }

    JsonObject second =
        fx.get("/activities?query=computer-id:" + box + "&limit=2&offset=2").bodyAsJsonObject();
    assertThat(ids(second)).containsExactly(created.get(2), created.get(1));
    assertThat(second.getLong("next")).isEqualTo(created.get(1));
    assertThat(second.getLong("count")).isEqualTo(5);
    assertThat(second.getBoolean("count_capped")).isFalse();
    JsonObject last =
        fx.get("/activities?query=computer-id:" + box + "&limit=2&before=" + created.get(1))
            .bodyAsJsonObject();
    assertThat(ids(last)).containsExactly(created.get(0));
    assertThat(last.getValue("next")).isNull();
    assertThat(last.getLong("count")).isEqualTo(5);
  }

  /**
   * Verifies that the count is exact however the page falls: a first page holding every match (also
   * exactly filled), one holding some, an empty one, and a page past the last match.
   */
  @Test
  void theCountIsOfEveryMatchWhateverThePage() {
    long box = fx.computer("counted");
    List<Long> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      created.add(create(box));
    }
    String query = "/activities?query=computer-id:" + box;

    JsonObject roomy = fx.get(query + "&limit=10").bodyAsJsonObject();
    JsonObject exact = fx.get(query + "&limit=3").bodyAsJsonObject();
    JsonObject partial = fx.get(query + "&limit=2").bodyAsJsonObject();
    JsonObject pastTheEnd = fx.get(query + "&limit=2&before=" + created.get(0)).bodyAsJsonObject();
    JsonObject none =
        fx.get("/activities?query=computer-id:" + fx.computer("empty")).bodyAsJsonObject();

    assertThat(roomy.getLong("count")).isEqualTo(3);
    assertThat(ids(roomy)).hasSize(3);
    assertThat(exact.getLong("count")).isEqualTo(3);
    assertThat(exact.getValue("next")).isNull();
    assertThat(partial.getLong("count")).isEqualTo(3);
    assertThat(partial.getLong("next")).isEqualTo(created.get(1));
    assertThat(pastTheEnd.getLong("count")).isEqualTo(3);
    assertThat(ids(pastTheEnd)).isEmpty();
    assertThat(pastTheEnd.getValue("next")).isNull();
    assertThat(none.getLong("count")).isZero();
    assertThat(none.getBoolean("count_capped")).isFalse();
    assertThat(ids(none)).isEmpty();
  }

  /**
   * Verifies that counting stops at the cap and says so, so a huge match costs no full count: as
   * many matches as the cap are counted exactly, one more reads as the cap, capped.
   */
  @Test
  void theCountIsCapped() {
    long box = fx.computer("crowded");
    insertSucceeded(box, 1_000);
    String uri = "/activities?query=computer-id:" + box + "&limit=3";
    JsonObject atTheCap = fx.get(uri).bodyAsJsonObject();
    insertSucceeded(box, 1);
    JsonObject past = fx.get(uri).bodyAsJsonObject();

    assertThat(atTheCap.getLong("count")).isEqualTo(1_000);
    assertThat(atTheCap.getBoolean("count_capped")).isFalse();
    assertThat(past.getLong("count")).isEqualTo(1_000);
    assertThat(past.getBoolean("count_capped")).isTrue();
    assertThat(past.getJsonArray("results")).hasSize(3);
    assertThat(past.getLong("next")).isNotNull();
  }

  private static void insertSucceeded(long computer, int count) {
    await(
        fx.server
            .pool()
            .preparedQuery(
                """
            INSERT INTO activities (account_id, computer_id, kind, type, status, summary, creator,
                                    created_at)
            SELECT $1, $2, 'client', 'ExecuteScriptRequest', 'succeeded', 'bulk', 'admin', $3
              FROM generate_series(1, $4::int)
            """)
            .execute(
                Tuple.of(
                    fx.accountId,
                    computer,
                    Instant.parse("2030-01-01T00:00:00Z").atOffset(java.time.ZoneOffset.UTC),
                    count)));
  }

  private static long tagged(String title, String... tags) {
    return await(fx.server.computers().add(fx.accountId, title, "h.local", List.of(tags)));
  }

  private static long createAt(long computer, String at) {
    fx.clock.set(Instant.parse(at));
    try {
      return create(computer);
    } finally {
      fx.clock.set(Instant.parse("2030-01-01T00:00:00Z"));
    }
  }

  private static long create(long computer) {
    return fx.post("/activities", script(computer)).bodyAsJsonObject().getLong("id");
  }

  private static long createRestart(long computer) {
    return fx.post(
            "/activities",
            new JsonObject()
                .put("type", "RestartRequest")
                .put("computer_ids", new JsonArray().add(computer)))
        .bodyAsJsonObject()
        .getLong("id");
  }

  /** Drives a Queued client activity through In Progress to a final state, as results would. */
  private static void finish(long id, Status end) {
    for (Status to : List.of(Status.IN_PROGRESS, end)) {
      await(fx.server.activities().transitionOne(fx.accountId, id, to, "test", "result"));
    }
  }

  private static HttpResponse<Buffer> list(String query) {
    return await(fx.api(HttpMethod.GET, "/activities").addQueryParam("query", query).send());
  }

  private static List<Long> ids(String query) {
    HttpResponse<Buffer> response = list(query);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return ids(response.bodyAsJsonObject());
  }

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }
}
