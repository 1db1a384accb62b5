package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Webhooks over real HTTP: a receiver in the test, the server allowed to reach 127.0.0.1. */
@ExtendWith(VertxExtension.class)
class WebhookTest {

  private static final Map<String, String> SETTINGS =
      Map.of(
          "OUTPOST_OUTBOUND_ALLOW_PRIVATE", "127.0.0.1",
          "OUTPOST_WEBHOOK_BACKOFF_MS", "100",
          "OUTPOST_WEBHOOK_RETRY_SECONDS", "600");

  private static ServerFixture fx;
  private static Receiver receiver;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, SETTINGS, Map.of());
    receiver = new Receiver(vertx);
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    receiver.close();
    fx.close();
  }

  /**
   * Verifies that a receiver that is down for a while, then back, gets every event, in order per
   * activity, each signed: GIVEN a webhook selecting a computer's activities and its receiver down
   * WHEN five activities are created and canceled, the first attempts fail, and a minute later the
   * receiver answers, a second instance sending too THEN it has taken all ten transitions once
   * each, each activity's in the log's order, each with a valid signature, and the webhook is no
   * longer failing. Another account does not see the webhook.
   */
  @Test
  void aReceiverBackFromDowntimeGetsEveryEventInOrderSigned(Vertx vertx) throws Exception {
    receiver.up = false;
    receiver.taken.clear();
    long box = fx.computer("hooked-box");
    JsonObject created =
        webhook(
            fx, receiver.url("127.0.0.1", "/hook"), "type:ExecuteScriptRequest computer-id:" + box);
    String secret = created.getString("secret");
    long id = created.getLong("id");
    assertThat(fx.get("/webhooks/" + id).bodyAsJsonObject().containsKey("secret")).isFalse();
    ServerFixture second = new ServerFixture(vertx, SETTINGS, Map.of());
    assertThat(second.get("/webhooks/" + id).statusCode()).isEqualTo(404);
    try {
      for (int i = 0; i < 5; i++) {
        fx.post("/activities", script(box));
      }
      fx.post("/activities/cancel", new JsonObject().put("query", "computer-id:" + box));
      List<String> expected = positions(fx, box);
      assertThat(expected).hasSize(10);

      eventually(20, () -> state(fx, id).equals("failing"));
      assertThat(deliveries(fx, id))
          .anySatisfy(
              d -> {
                assertThat(d.getInteger("last_status")).isEqualTo(503);
                assertThat(d.getString("state")).isEqualTo("pending");
                assertThat(d.getString("next_attempt_at")).isNotNull();
              });

      receiver.up = true;
      fx.clock.advance(Duration.ofMinutes(1));
      second.clock.set(fx.clock.instant());
      eventually(30, () -> distinctPositions().size() == expected.size());

      // two healthy instances shared the sending: none sent a delivery the other sent
      assertThat(receiver.taken).hasSize(expected.size());
      assertThat(distinctPositions()).containsExactlyInAnyOrderElementsOf(expected);
      Map<Long, List<String>> byActivity = new TreeMap<>();
      for (Receiver.Taken taken : receiver.taken) {
        assertThat(taken.signature()).isEqualTo(signed(secret, taken));
        byActivity
            .computeIfAbsent(taken.event().getLong("id"), a -> new ArrayList<>())
            .add(taken.event().getString("position"));
      }
      byActivity.values().forEach(list -> assertThat(list).isSortedAccordingTo(WebhookTest::order));
      // the receiver may have taken the last one before its sender wrote it down
      eventually(
          10,
          () ->
              deliveries(fx, id).stream().allMatch(d -> d.getString("state").equals("delivered")));
      assertThat(deliveries(fx, id)).hasSize(10);
      assertThat(state(fx, id)).isEqualTo("active");
      // either instance may have sent any delivery: their metrics together count them
      String metrics =
          await(fx.http.get("/metrics").send()).bodyAsString()
              + await(second.http.get("/metrics").send()).bodyAsString();
      assertThat(metrics)
          .containsPattern("outpost_webhook_deliveries_total\\{outcome=\"delivered\",?} [1-9]")
          .containsPattern("outpost_webhook_deliveries_total\\{outcome=\"failed\",?} [1-9]")
          .containsPattern("outpost_webhook_lag_seconds_count [1-9]");
    } finally {
      delete(fx, id);
      second.close();
    }
  }

  /**
   * Verifies that a webhook failing longer than the retry window is disabled and says so, its
   * pending deliveries given up, and that it can be enabled again.
   */
  @Test
  void aWebhookFailingPastTheWindowIsDisabled() {
    receiver.up = false;
    long box = fx.computer("failing-box");
    long id = webhook(fx, receiver.url("127.0.0.1", "/down"), "computer-id:" + box).getLong("id");
    try {
      fx.post("/activities", script(box));
      eventually(20, () -> state(fx, id).equals("failing"));
      fx.clock.advance(Duration.ofMinutes(11));
      eventually(20, () -> state(fx, id).equals("disabled"));

      JsonObject disabled = fx.get("/webhooks/" + id).bodyAsJsonObject();
      assertThat(disabled.getString("disabled_reason"))
          .contains("longer than the retry window")
          .contains("503");
      assertThat(deliveries(fx, id))
          .allSatisfy(d -> assertThat(d.getString("state")).isEqualTo("abandoned"));

      JsonObject enabled =
          await(
                  fx.api(HttpMethod.PATCH, "/webhooks/" + id)
                      .sendJsonObject(new JsonObject().put("enabled", true)))
              .bodyAsJsonObject();
      assertThat(enabled.getString("state")).isEqualTo("active");
    } finally {
      delete(fx, id);
    }
  }

  /**
   * Verifies that one webhook whose endpoint never answers, with a backlog of more deliveries than
   * are sent at once, holds no other webhook's: GIVEN 40 activities' events waiting for the hanging
   * endpoint WHEN another webhook's event comes THEN its receiver takes it while the hanging
   * webhook's deliveries are nearly all still unsent (each sent one holds its request until the
   * minute's idle timeout).
   */
  @Test
  void aHangingEndpointWithABacklogHoldsNoOtherWebhook(Vertx vertx) {
    receiver.up = true;
    receiver.taken.clear();
    HttpServer hanging =
        await(vertx.createHttpServer().requestHandler(request -> {}).listen(0, "127.0.0.1"));
    long slowBox = fx.computer("slow-box");
    long quickBox = fx.computer("quick-box");
    long slow =
        webhook(fx, "http://127.0.0.1:" + hanging.actualPort() + "/never", "computer-id:" + slowBox)
            .getLong("id");
    long quick = -1;
    try {
      for (int i = 0; i < 40; i++) {
        fx.post("/activities", script(slowBox));
      }
      eventually(20, () -> deliveries(fx, slow).size() == 40);
      quick =
          webhook(fx, receiver.url("127.0.0.1", "/quick"), "computer-id:" + quickBox).getLong("id");
      fx.post("/activities", script(quickBox));

      eventually(40, () -> receiver.taken.size() == 1);
      List<JsonObject> backlog = deliveries(fx, slow);
      assertThat(backlog).allSatisfy(d -> assertThat(d.getString("state")).isEqualTo("pending"));
      assertThat(backlog.stream().filter(d -> d.getInteger("attempts") == 0).count())
          .isGreaterThanOrEqualTo(30);
    } finally {
      delete(fx, slow);
      if (quick >= 0) {
        delete(fx, quick);
      }
      await(hanging.close());
    }
  }

  /**
   * Verifies that a server stopped abruptly between transitions and their delivery loses none:
   * GIVEN a second instance with a webhook whose receiver is down WHEN it makes transitions and its
   * Vert.x is closed without the server being stopped, and the receiver comes back THEN the
   * instance left delivers every event.
   */
  @Test
  void aCrashBetweenTransitionAndDeliveryLosesNothing() {
    receiver.up = false;
    receiver.taken.clear();
    Vertx doomedVertx = Vertx.vertx();
    ServerFixture doomed = new ServerFixture(doomedVertx, SETTINGS, Map.of());
    // instances of one installation share the time: the survivor judges the doomed one's
    // failing_since against its own clock, which earlier tests moved on
    doomed.clock.set(fx.clock.instant());
    long box = doomed.computer("crashing-box");
    long id =
        webhook(doomed, receiver.url("127.0.0.1", "/crash"), "type:ExecuteScriptRequest")
            .getLong("id");
    try {
      for (int i = 0; i < 3; i++) {
        doomed.post("/activities", script(box));
      }
      doomed.post("/activities/cancel", new JsonObject().put("query", "computer-id:" + box));
      List<String> expected = positions(doomed, box);
      await(doomedVertx.close());

      receiver.up = true;
      fx.clock.advance(Duration.ofMinutes(5));
      eventually(30, () -> distinctPositions().containsAll(expected));
      assertThat(distinctPositions()).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      TestSupport.endActivities(fx.server.pool(), doomed.accountId);
      await(
          fx.server
              .pool()
              .preparedQuery("DELETE FROM webhooks WHERE id = $1")
              .execute(Tuple.of(id)));
    }
  }

  private static JsonObject webhook(ServerFixture server, String url, String query) {
    var answer = server.post("/webhooks", new JsonObject().put("url", url).put("query", query));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(201);
    return answer.bodyAsJsonObject();
  }

  private static void delete(ServerFixture server, long id) {
    assertThat(await(server.api(HttpMethod.DELETE, "/webhooks/" + id).send()).statusCode())
        .isEqualTo(204);
  }

  private static String state(ServerFixture server, long id) {
    return server.get("/webhooks/" + id).bodyAsJsonObject().getString("state");
  }

  private static List<JsonObject> deliveries(ServerFixture server, long id) {
    JsonArray results =
        server.get("/webhooks/" + id + "/deliveries").bodyAsJsonObject().getJsonArray("results");
    List<JsonObject> list = new ArrayList<>();
    results.forEach(d -> list.add((JsonObject) d));
    return list;
  }

  private static List<String> distinctPositions() {
    Map<String, Boolean> seen = new LinkedHashMap<>();
    receiver.taken.forEach(t -> seen.put(t.event().getString("position"), true));
    return List.copyOf(seen.keySet());
  }

  /** The transitions of the computer's activities, as the log holds them. */
  private static List<String> positions(ServerFixture server, long computer) {
    List<String> positions = new ArrayList<>();
    await(
            server
                .server
                .pool()
                .preparedQuery(
                    """
                    SELECT e.xid, e.id FROM activity_events e JOIN activities a ON a.id = e.activity_id
                     WHERE a.computer_id = $1 ORDER BY e.xid, e.id
                    """)
                .execute(Tuple.of(computer)))
        .forEach(row -> positions.add(new Position(row.getLong(0), row.getLong(1)).toString()));
    return positions;
  }

  /** The signature as a receiver computes it: HMAC-SHA256 of "<t>.<body>" with the secret. */
  private static String signed(String secret, Receiver.Taken taken) throws Exception {
    String t = taken.signature().replaceFirst("^t=(\\d+),.*$", "$1");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] digest = mac.doFinal((t + "." + taken.body()).getBytes(StandardCharsets.UTF_8));
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(digest);
  }

  private static int order(String a, String b) {
    return Position.parse(a).compareTo(Position.parse(b));
  }
}
