package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
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

/**
 * What one request may ask of the server: its targets, the size of what every target keeps a copy
 * of, how deep a listing may skip.
 */
@ExtendWith(VertxExtension.class)
class LimitsApiTest {

  private static final int MAX_PARAMETERS = 1024;
  private static final int MAX_ATTACHMENTS = 100;
  private static final int MAX_OFFSET = 10;

  private static ServerFixture fx;
  private static long box1;
  private static long box2;
  private static long box3;

  @BeforeAll
  static void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_MAX_TARGETS", "2",
                "OUTPOST_MAX_PARAMETERS_BYTES", String.valueOf(MAX_PARAMETERS),
                "OUTPOST_MAX_ATTACHMENT_BYTES", String.valueOf(MAX_ATTACHMENTS),
                "OUTPOST_MAX_OFFSET", String.valueOf(MAX_OFFSET)),
            Map.of());
    box1 = fx.computer("box1");
    box2 = fx.computer("box2");
    box3 = fx.computer("box3");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a request naming one computer several times is a 400 naming the repeated ids, and
   * creates nothing (it once made a child per mention, all on one computer).
   */
  @Test
  void refusesComputersNamedTwice() {
    long before = activitiesOfTheAccount();

    HttpResponse<Buffer> refused = fx.post("/activities", script(box1, box1, box1));

    assertBadRequest(refused, "more than once: [" + box1 + "]");
    assertThat(activitiesOfTheAccount()).isEqualTo(before);
  }

  /** Verifies that more targets than the cap is a 400 naming the cap and its setting. */
  @Test
  void refusesMoreTargetsThanTheCap() {
    assertBadRequest(fx.post("/activities", script(box1, box2, box3)), "at most 2");
    assertBadRequest(fx.post("/activities", script(box1, box2, box3)), "OUTPOST_MAX_TARGETS");
    assertThat(fx.post("/activities", script(box1, box2)).statusCode()).isEqualTo(201);
  }

  /**
   * Verifies that parameters and attachments past their caps are 400s naming the field, the cap and
   * its setting, and that attachments count apart from the other parameters.
   */
  @Test
  void refusesParametersAndAttachmentsPastTheirCaps() {
    JsonObject tooLong = script(box1);
    tooLong.getJsonObject("parameters").put("code", "x".repeat(MAX_PARAMETERS));
    HttpResponse<Buffer> refused = fx.post("/activities", tooLong);
    assertBadRequest(refused, "'parameters'");
    assertBadRequest(refused, "at most " + MAX_PARAMETERS);
    assertBadRequest(refused, "OUTPOST_MAX_PARAMETERS_BYTES");

    JsonObject attached = script(box1);
    attached
        .getJsonObject("parameters")
        .put("attachments", new JsonObject().put("a.txt", "é".repeat(MAX_ATTACHMENTS / 2)));
    refused = fx.post("/activities", attached);
    assertBadRequest(refused, "'attachments'");
    assertBadRequest(refused, "at most " + MAX_ATTACHMENTS);
    assertBadRequest(refused, "OUTPOST_MAX_ATTACHMENT_BYTES");

    // attachments up to their own cap do not count toward the parameters'
    JsonObject fits = script(box1);
    fits.getJsonObject("parameters")
        .put("code", "x".repeat(MAX_PARAMETERS / 2))
        .put("attachments", new JsonObject().put("a", "y".repeat(MAX_ATTACHMENTS - 1)));
    HttpResponse<Buffer> created = fx.post("/activities", fits);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
  }

  /** Verifies that a summary longer than the cap is a 400: every child keeps a copy. */
  @Test
  void refusesLongSummaries() {
    assertBadRequest(
        fx.post("/activities", script(box1).put("summary", "s".repeat(1_001))), "'summary'");
  }

  /**
   * Verifies that an offset past the cap is a 400 saying to page with the listing's cursor, in the
   * activity listings and the computers', and that the cap itself is accepted.
   */
  @Test
  void capsTheOffset() {
    assertThat(fx.get("/activities?offset=" + MAX_OFFSET).statusCode()).isEqualTo(200);
    assertThat(fx.get("/computers?offset=" + MAX_OFFSET).statusCode()).isEqualTo(200);
    for (String listing : new String[] {"/activities", "/activities/parents", "/computers"}) {
      HttpResponse<Buffer> refused = fx.get(listing + "?offset=" + (MAX_OFFSET + 1));
      assertBadRequest(refused, "at most " + MAX_OFFSET);
      assertBadRequest(refused, listing.equals("/computers") ? "'after'" : "'before'");
    }
  }

  /** Verifies that computers page by id with 'after', each page naming the next one's cursor. */
  @Test
  void computersPageWithAfter() {
    JsonObject first = fx.get("/computers?limit=2").bodyAsJsonObject();
    assertThat(ids(first)).containsExactly(box1, box2);
    assertThat(first.getLong("next")).isEqualTo(box2);

    JsonObject last = fx.get("/computers?limit=2&after=" + box2).bodyAsJsonObject();

    assertThat(ids(last)).containsExactly(box3);
    assertThat(last.getValue("next")).isNull();
  }

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }

  private static long activitiesOfTheAccount() {
    return await(
            fx.server
                .pool()
                .preparedQuery("SELECT count(*) FROM activities WHERE account_id = $1")
                .execute(Tuple.of(fx.accountId)))
        .iterator()
        .next()
        .getLong(0);
  }
}
