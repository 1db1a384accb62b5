package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Webhooks on a server that may reach no private address, as by default. */
@ExtendWith(VertxExtension.class)
class WebhookAddressTest {

  private static ServerFixture fx;
  private static Receiver receiver;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of("OUTPOST_WEBHOOKS_PER_ACCOUNT", "1"), Map.of());
    receiver = new Receiver(vertx);
    receiver.up = true;
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    receiver.close();
    fx.close();
  }

  /** Verifies that a URL naming a private address literally is refused at creation, by a 400. */
  @Test
  void aPrivateAddressIsRefusedAtCreation() {
    assertBadRequest(hook("http://127.0.0.1:9/hook", ""), "not public");
    assertBadRequest(hook("http://[::1]/hook", ""), "not public");
    assertBadRequest(hook("http://10.1.2.3/hook", ""), "OUTPOST_OUTBOUND_ALLOW_PRIVATE");
    assertBadRequest(hook("ftp://example.com/hook", ""), "http(s)");
    assertBadRequest(hook("https://example.com/hook", "created-before:2030-01-01"), "created");
  }

  /**
   * Verifies that a name resolving to a private address is refused when a delivery resolves it:
   * GIVEN a webhook to localhost WHEN an event is delivered THEN the attempt fails saying the
   * address is not public, and the receiver took nothing. A second webhook is past the account's
   * bound (409).
   */
  @Test
  void aNameResolvingToAPrivateAddressIsRefusedAtDelivery() {
    long box = fx.computer("private-box");
    var created = hook(receiver.url("localhost", "/hook"), "computer-id:" + box);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long id = created.bodyAsJsonObject().getLong("id");
    try {
      assertThat(hook("https://example.com/second", "").statusCode()).isEqualTo(409);
      fx.post("/activities", script(box));
      eventually(
          20,
          () ->
              fx
                  .get("/webhooks/" + id + "/deliveries")
                  .bodyAsJsonObject()
                  .getJsonArray("results")
                  .stream()
                  .map(JsonObject.class::cast)
                  .anyMatch(
                      d ->
                          d.getInteger("attempts") >= 1
                              && d.getString("last_error") != null
                              && d.getString("last_error").contains("is not public")));
      assertThat(receiver.taken).isEmpty();
      assertThat(receiver.refusedBodies).isEmpty();
    } finally {
      assertThat(await(fx.api(HttpMethod.DELETE, "/webhooks/" + id).send()).statusCode())
          .isEqualTo(204);
    }
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> hook(
      String url, String query) {
    return fx.post("/webhooks", new JsonObject().put("url", url).put("query", query));
  }
}
