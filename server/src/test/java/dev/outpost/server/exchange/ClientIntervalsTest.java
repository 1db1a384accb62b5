package dev.outpost.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An account's client intervals ({@code PATCH /account}) reach its computers as one {@code
 * set-intervals} message each per change, at their next exchange, and only computers whose client
 * accepts the type; values the Landscape Client would fail on are refused.
 */
@ExtendWith(VertxExtension.class)
class ClientIntervalsTest {

  private static final List<String> ACCEPTING =
      List.of("accepted-types", "execute-script", "set-id", "set-intervals", "unknown-id");
  private static final List<String> NOT_ACCEPTING =
      List.of("accepted-types", "execute-script", "set-id", "unknown-id");

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that a change of the intervals is sent once to a computer that accepts set-intervals,
   * with only the intervals set, again after the next change, to a computer registering later, and
   * never to one that does not accept the type; and that the account shows them.
   */
  @Test
  void aChangeReachesEachAcceptingComputerOnce() {
    ProtocolClient early = client("intervals-early", ACCEPTING);
    ProtocolClient other = client("intervals-other", NOT_ACCEPTING);
    assertThat(intervalMessages(early.exchange(List.of()))).isEmpty();

    JsonObject shown =
        fx.patch(
                "/account",
                new JsonObject().put("exchange_interval", 120).put("urgent_exchange_interval", 15))
            .bodyAsJsonObject();
    assertThat(shown.getInteger("exchange_interval")).isEqualTo(120);
    assertThat(shown.getInteger("urgent_exchange_interval")).isEqualTo(15);
    assertThat(shown.getValue("ping_interval")).isNull();

    List<WireMap> sent = intervalMessages(early.exchange(List.of()));
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).integer("exchange")).isEqualTo(120);
    assertThat(sent.get(0).integer("urgent-exchange")).isEqualTo(15);
    assertThat(sent.get(0).optionalInteger("ping")).isEmpty();
    assertThat(intervalMessages(early.exchange(List.of()))).isEmpty();
    assertThat(intervalMessages(other.exchange(List.of()))).isEmpty();

    // the same values again are no change; a new ping interval is
    fx.patch("/account", new JsonObject().put("exchange_interval", 120));
    assertThat(intervalMessages(early.exchange(List.of()))).isEmpty();
    fx.patch("/account", new JsonObject().put("ping_interval", 20));
    List<WireMap> again = intervalMessages(early.exchange(List.of()));
    assertThat(again).hasSize(1);
    assertThat(again.get(0).integer("ping")).isEqualTo(20);
    assertThat(again.get(0).integer("exchange")).isEqualTo(120);

    // a computer registering now is sent them with the exchange that says it accepts the type
    ProtocolClient late = ProtocolClient.registered(fx, "intervals-late");
    late.clientTypes = ACCEPTING;
    List<WireMap> first = intervalMessages(late.exchange(List.of()));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).integer("ping")).isEqualTo(20);
    assertThat(intervalMessages(late.exchange(List.of()))).isEmpty();
    assertThat(intervalMessages(other.exchange(List.of()))).isEmpty();
  }

  /** Verifies that intervals under 10 s, over a day, or not whole numbers are refused with 400. */
  @Test
  void intervalsTheClientCannotFollowAreRefused() {
    for (JsonObject body :
        List.of(
            new JsonObject().put("exchange_interval", 5),
            new JsonObject().put("ping_interval", 86_401),
            new JsonObject().put("urgent_exchange_interval", "60"),
            new JsonObject().put("ping_interval", 12.5))) {
      var response = fx.patch("/account", body);
      assertThat(response.statusCode()).as(body.encode()).isEqualTo(400);
      assertThat(response.bodyAsString()).contains(body.fieldNames().iterator().next());
    }
  }

  private static ProtocolClient client(String title, List<String> types) {
    ProtocolClient client = ProtocolClient.registered(fx, title);
    client.clientTypes = types;
    client.exchange(List.of());
    return client;
  }

  private static List<WireMap> intervalMessages(WireMap answer) {
    return answer.mapList("messages").stream()
        .filter(m -> m.text("type").equals("set-intervals"))
        .toList();
  }
}
