package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one rule of which client activities a computer may be given now, as the three places that ask
 * it answer: {@code /ping}, the computer's pending count, and the exchange that delivers. Each case
 * is one where they used to disagree. The scheduler sweeps once an hour here, so what it would
 * cancel (an expired activity, a group past its errors) is still there to be asked about.
 */
@ExtendWith(VertxExtension.class)
class DueRuleTest {

  /** Per computer, the messages its last answer carried: they wait until its next exchange. */
  private static final Map<Long, Integer> UNACKNOWLEDGED = new ConcurrentHashMap<>();

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of("OUTPOST_SWEEP_INTERVAL_MS", "3600000"), Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a Scheduled activity whose time has come is due everywhere: GIVEN a script
   * scheduled a minute ahead, WHEN the minute passes, THEN ping says so, the pending count counts
   * it and the exchange delivers it (the pending count used to count only Queued activities).
   */
  @Test
  void aScheduledActivityWhoseTimeCameIsDueEverywhere() {
    ProtocolClient agent = agent("due-scheduled");
    long id = create(script(agent).put("deliver_after", later(1).toString()));
    assertAgree(agent, List.of());

    fx.clock.advance(Duration.ofMinutes(2));

    assertAgree(agent, List.of(id));
  }

  /**
   * Verifies that a Queued activity whose deliver_after is still ahead is due nowhere: GIVEN a
   * script needing approval with a delivery time an hour ahead, WHEN it is approved (Queued), THEN
   * ping, the pending count and the exchange all wait for its time (ping and the pending count used
   * to take every Queued activity).
   */
  @Test
  void aQueuedActivityBeforeItsTimeIsDueNowhere() {
    ProtocolClient agent = agent("due-queued-later");
    long id =
        create(
            script(agent)
                .put("deliver_after", later(60).toString())
                .put("requires_approval", true));
    fx.post("/activities/approve", new JsonObject().put("ids", new JsonArray().add(id)));
    assertThat(status(id)).isEqualTo("queued");

    assertAgree(agent, List.of());
  }

  /**
   * Verifies that an activity past its deliver_before is due nowhere, even before the sweep cancels
   * it: GIVEN a script to deliver within ten minutes, WHEN eleven pass, THEN nothing is due (ping
   * and the pending count used to count it).
   */
  @Test
  void anExpiredActivityIsDueNowhere() {
    ProtocolClient agent = agent("due-expired");
    long id = create(script(agent).put("deliver_before", later(10).toString()));

    fx.clock.advance(Duration.ofMinutes(11));

    assertAgree(agent, List.of());
    assertThat(status(id)).isEqualTo("queued");
  }

  /**
   * Verifies that a child of a group at its concurrency limit is due nowhere: GIVEN a group of two
   * with max_concurrency 1, WHEN the first computer takes its child, THEN the second's is due
   * nowhere until the first reports, and then everywhere.
   */
  @Test
  void aChildOfAGroupAtItsConcurrencyLimitIsDueNowhere() {
    List<ProtocolClient> agents = List.of(agent("due-conc-0"), agent("due-conc-1"));
    JsonObject group =
        fx.post("/activities", ProtocolClient.scriptFor(agents).put("max_concurrency", 1))
            .bodyAsJsonObject();
    long first = child(group, agents.get(0));
    long second = child(group, agents.get(1));
    assertAgree(agents.get(0), List.of(first));

    assertAgree(agents.get(1), List.of());

    exchange(agents.get(0), List.of(ProtocolClient.result(first, 6, 0, "done")));
    assertAgree(agents.get(1), List.of(second));
  }

  /**
   * Verifies that a child of a group that failed more often than it tolerates is due nowhere, even
   * before the sweep cancels it: GIVEN a group of two with max_errors 0, WHEN the first child
   * fails, THEN the second is due nowhere.
   */
  @Test
  void aChildOfAGroupPastItsErrorsIsDueNowhere() {
    List<ProtocolClient> agents = List.of(agent("due-errs-0"), agent("due-errs-1"));
    JsonObject group =
        fx.post("/activities", ProtocolClient.scriptFor(agents).put("max_errors", 0))
            .bodyAsJsonObject();
    long first = child(group, agents.get(0));
    assertAgree(agents.get(0), List.of(first));

    exchange(agents.get(0), List.of(ProtocolClient.result(first, 5, 1, "broken")));

    assertAgree(agents.get(1), List.of());
  }

  /**
   * Verifies that a ResynchronizeRequest travels alone in all three places: GIVEN a script, a
   * ResynchronizeRequest and a script queued in that order, THEN only the first script is due now
   * (the pending count used to count all three), then the ResynchronizeRequest alone, then the last
   * script.
   */
  @Test
  void aResynchronizeRequestTravelsAloneEverywhere() {
    ProtocolClient agent = agent("due-resync");
    long before = create(script(agent));
    long resync =
        create(
            new JsonObject()
                .put("type", "ResynchronizeRequest")
                .put("computer_ids", new JsonArray().add(agent.insecureId)));
    long after = create(script(agent));

    assertAgree(agent, List.of(before));
    assertAgree(agent, List.of(resync));
    assertAgree(agent, List.of(after));
  }

  /**
   * Asserts that ping, the pending count and an exchange agree the computer is due exactly these
   * activities, in the order the exchange delivers them. The exchange goes last, as it delivers
   * what it finds; what the computer's previous exchange sent waits in its outgoing store until
   * this one acknowledges it, and counts as pending (and makes ping true) meanwhile.
   */
  private static void assertAgree(ProtocolClient agent, List<Long> due) {
    int waiting = UNACKNOWLEDGED.getOrDefault(agent.insecureId, 0);
    assertThat(ping(agent)).as("ping").isEqualTo(waiting > 0 || !due.isEmpty());
    assertThat(pending(agent)).as("pending").isEqualTo(waiting + due.size());
    assertThat(exchange(agent, List.of()).mapList("messages"))
        .as("delivered")
        .extracting(m -> m.integer("operation-id"))
        .containsExactlyElementsOf(due);
  }

  /** Exchanges, noting how many messages the answer left waiting for acknowledgement. */
  private static WireMap exchange(ProtocolClient agent, List<Map<String, Object>> messages) {
    WireMap answer = agent.exchange(messages);
    UNACKNOWLEDGED.put(agent.insecureId, answer.mapList("messages").size());
    return answer;
  }

  private static ProtocolClient agent(String title) {
    ProtocolClient agent = ProtocolClient.registered(fx, title);
    exchange(agent, List.of()); // acknowledges the welcome
    return agent;
  }

  private static boolean ping(ProtocolClient agent) {
    HttpResponse<Buffer> response =
        await(
            fx.http
                .post("/ping")
                .sendForm(
                    MultiMap.caseInsensitiveMultiMap().add("insecure_id", "" + agent.insecureId)));
    return WireMap.of((Map<?, ?>) Bpickle.decode(response.body())).bool("messages");
  }

  private static long pending(ProtocolClient agent) {
    return fx.get("/computers/" + agent.insecureId).bodyAsJsonObject().getLong("pending_messages");
  }

  private static JsonObject script(ProtocolClient agent) {
    return new JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", new JsonArray().add(agent.insecureId))
        .put("parameters", new JsonObject().put("code", "true"));
  }

  private static long create(JsonObject request) {
    HttpResponse<Buffer> response = fx.post("/activities", request);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }

  private static long child(JsonObject group, ProtocolClient agent) {
    return group.getJsonArray("children").stream()
        .map(c -> (JsonObject) c)
        .filter(c -> c.getLong("computer_id") == agent.insecureId)
        .findFirst()
        .orElseThrow()
        .getLong("id");
  }

  private static Instant later(int minutes) {
    return fx.clock.instant().plus(Duration.ofMinutes(minutes));
  }

  private static String status(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }
}
