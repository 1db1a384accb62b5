package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Canceling a running client activity reaches the agents that accept {@code cancel-operation},
 * once, through the outgoing store; the Landscape Client's exchanges never carry it.
 */
@ExtendWith(VertxExtension.class)
class CancelOperationTest {

  /** The types Outpost's agent accepts, cancel-operation among them. */
  private static final List<String> OUTPOST_AGENT =
      List.of("accepted-types", "cancel-operation", "execute-script", "set-id", "unknown-id");

  /** The types the Landscape Client accepts (PROTOCOL.md's first exchange). */
  private static final List<String> LANDSCAPE_CLIENT =
      List.of(
          "accepted-types",
          "custom-graph-add",
          "custom-graph-remove",
          "execute-script",
          "registration",
          "resynchronize",
          "set-id",
          "set-intervals",
          "signal-process",
          "unknown-id");

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
   * Verifies that a running activity canceled by id is sent to an agent that accepts the type as
   * one cancel-operation naming the operation, not again once acknowledged, that the activity stays
   * Canceled, and that the agent's late result is recorded on it.
   */
  @Test
  void aCancelReachesTheAgentOnceAndItsResultIsRecorded() {
    ProtocolClient agent = client("cancel-agent", OUTPOST_AGENT);
    long id = running(agent);

    cancel(new JsonObject().put("ids", new JsonArray().add(id)));
    List<WireMap> first = messages(agent.exchange(List.of()));
    List<WireMap> second = messages(agent.exchange(List.of()));
    agent.exchange(List.of(ProtocolClient.result(id, 5, 0, "canceled: stopped")));

    assertThat(first)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("cancel-operation");
              assertThat(m.integer("operation-id")).isEqualTo(id);
            });
    assertThat(second).isEmpty();
    JsonObject activity = fx.get("/activities/" + id).bodyAsJsonObject();
    assertThat(activity.getString("status")).isEqualTo("canceled");
    assertThat(activity.getString("result_text")).isEqualTo("canceled: stopped");
    assertThat(notices(id)).isZero();
  }

  /**
   * Verifies that canceling a group by query sends each running child's agent its cancel, and that
   * a computer whose client does not accept cancel-operation (the Landscape Client) never gets one
   * and keeps no notice.
   */
  @Test
  void aGroupCanceledByQueryReachesOnlyAgentsThatAcceptTheType() {
    ProtocolClient agent = client("cancel-group-agent", OUTPOST_AGENT);
    ProtocolClient landscape = client("cancel-group-landscape", LANDSCAPE_CLIENT);
    JsonObject group =
        fx.post(
                "/activities",
                ProtocolClient.scriptFor(List.of(agent, landscape)).put("summary", "cancel-group"))
            .bodyAsJsonObject();
    long agentChild = delivered(agent);
    long landscapeChild = delivered(landscape);

    cancel(new JsonObject().put("query", "id:" + group.getLong("id")));

    assertThat(messages(agent.exchange(List.of())))
        .extracting(m -> m.text("type") + ":" + m.integer("operation-id"))
        .containsExactly("cancel-operation:" + agentChild);
    assertThat(messages(landscape.exchange(List.of()))).isEmpty();
    assertThat(notices(landscapeChild)).isZero();
    assertThat(fx.get("/activities/" + landscapeChild).bodyAsJsonObject().getString("status"))
        .isEqualTo("canceled");
  }

  /**
   * Verifies that canceling an activity before delivery sends nothing: there is nothing to stop.
   */
  @Test
  void anUndeliveredActivityCanceledSendsNothing() {
    ProtocolClient agent = client("cancel-undelivered", OUTPOST_AGENT);
    long id =
        fx.post("/activities", ProtocolClient.scriptFor(List.of(agent)))
            .bodyAsJsonObject()
            .getLong("id");

    cancel(new JsonObject().put("ids", new JsonArray().add(id)));

    assertThat(messages(agent.exchange(List.of()))).isEmpty();
  }

  private static ProtocolClient client(String title, List<String> types) {
    ProtocolClient client = ProtocolClient.registered(fx, title);
    client.clientTypes = types;
    client.exchange(List.of());
    return client;
  }

  /** Creates a script for the client's computer and has it delivered; returns its id. */
  private static long running(ProtocolClient client) {
    fx.post("/activities", ProtocolClient.scriptFor(List.of(client)));
    return delivered(client);
  }

  /** Exchanges until the client got a script; returns its operation-id. */
  private static long delivered(ProtocolClient client) {
    List<WireMap> scripts = new ArrayList<>();
    messages(client.exchange(List.of())).stream()
        .filter(m -> m.text("type").equals("execute-script"))
        .forEach(scripts::add);
    assertThat(scripts).hasSize(1);
    return scripts.get(0).integer("operation-id");
  }

  private static void cancel(JsonObject selection) {
    assertThat(fx.post("/activities/cancel", selection).bodyAsJsonObject().getJsonArray("applied"))
        .isNotEmpty();
  }

  /** The messages of an answer other than the protocol's own bookkeeping. */
  private static List<WireMap> messages(WireMap answer) {
    return answer.mapList("messages").stream()
        .filter(m -> !m.text("type").equals("accepted-types"))
        .toList();
  }

  private static long notices(long activityId) {
    return await(
            fx.server
                .pool()
                .preparedQuery("SELECT count(*) FROM cancel_notices WHERE activity_id = $1")
                .execute(Tuple.of(activityId)))
        .iterator()
        .next()
        .getLong(0);
  }
}
