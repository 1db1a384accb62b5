package dev.outpost.server.events;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.computer.ComputerRemoval;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event stream over real HTTP, two server instances on one database. */
@ExtendWith(VertxExtension.class)
class EventStreamTest {

  private static ServerFixture one;
  private static ServerFixture two;

  @BeforeAll
  static void start(Vertx vertx) {
    one = new ServerFixture(vertx);
    two = new ServerFixture(vertx, Map.of("OUTPOST_EVENT_STREAMS_PER_ACCOUNT", "1"), Map.of());
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(one.server.pool(), one.accountId, two.accountId);
    one.close();
    two.close();
  }

  /**
   * Verifies that a client disconnected mid-run and reconnected with Last-Event-ID to another
   * instance receives every event exactly once, in the log's order, and none of another account:
   * GIVEN a stream on one instance WHEN activities are created in parallel, the client leaves after
   * a few events, more transitions happen while it is away, and it reconnects to the other instance
   * THEN what both connections read is the account's log after the start, once each.
   */
  @Test
  void aClientReconnectingToAnotherInstanceGetsEveryEventOnce(Vertx vertx) {
    long box = one.computer("stream-box");
    long stranger = two.computer("stranger-box");
    SseClient first = new SseClient(vertx, one.server.httpPort(), one.token, "", null);
    eventually(10, () -> first.startedAfter != null);

    createInParallel(box, 10);
    await(two.api(HttpMethod.POST, "/activities").sendJsonObject(script(stranger)));
    eventually(10, () -> first.events.size() >= 3);
    first.close();
    List<SseClient.Event> before = List.copyOf(first.events);

    createInParallel(box, 10);
    assertThat(
            one.post("/activities/cancel", new JsonObject().put("query", "computer-id:" + box))
                .statusCode())
        .isEqualTo(200);
    SseClient second =
        new SseClient(
            vertx, two.server.httpPort(), one.token, "", before.get(before.size() - 1).id());
    List<String> expected = positionsAfter(one.accountId, Position.parse(first.startedAfter));
    assertThat(expected).hasSizeGreaterThanOrEqualTo(40); // 20 created, 20 canceled
    eventually(20, () -> before.size() + second.events.size() >= expected.size());
    second.close();

    List<SseClient.Event> all = new ArrayList<>(before);
    all.addAll(second.events);
    assertThat(all.stream().map(SseClient.Event::id).toList()).isEqualTo(expected);
    assertThat(all)
        .allSatisfy(e -> assertThat(e.data().getString("position")).isEqualTo(e.id()))
        .noneSatisfy(e -> assertThat(e.data().getLong("computer_id")).isEqualTo(stranger));
    assertThat(await(two.http.get("/metrics").send()).bodyAsString())
        .containsPattern("outpost_events_streamed_total [1-9]");
  }

  /**
   * Verifies that registrations and removals are events, ordered with the transitions of their
   * transaction, and that a query selects events by the activity query language.
   */
  @Test
  void computersAreEventsAndQueriesSelect(Vertx vertx) {
    SseClient all = new SseClient(vertx, one.server.httpPort(), one.token, "", null);
    SseClient canceled =
        new SseClient(vertx, one.server.httpPort(), one.token, "?query=status:canceled", null);
    eventually(10, () -> all.startedAfter != null && canceled.startedAfter != null);
    long box = one.computer("leaving-box");
    long activity = one.post("/activities", script(box)).bodyAsJsonObject().getLong("id");
    long removed =
        await(
            new ComputerRemoval(one.server.pool(), one.server.activities())
                .remove(one.accountId, box, "admin", one.clock.instant()));
    assertThat(removed).isEqualTo(1);

    try {
      eventually(10, () -> all.events.size() >= 4 && !canceled.events.isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError("all: " + all.events + " canceled: " + canceled.events, e);
    }
    all.close();
    canceled.close();
    assertThat(all.events.stream().map(e -> e.name() + ":" + to(e.data())).toList())
        .containsExactly(
            "computer-registered:null",
            "transition:queued",
            "transition:canceled",
            "computer-removed:null");
    assertThat(all.events)
        .allSatisfy(e -> assertThat(e.data().getLong("computer_id")).isEqualTo(box));
    assertThat(all.events.get(1).data().getLong("id")).isEqualTo(activity);
    assertThat(all.events.get(2).data().getString("reason")).isEqualTo("computer removed");
    assertThat(canceled.events).hasSize(1);
    assertThat(canceled.events.get(0).id()).isEqualTo(all.events.get(2).id());
  }

  /** Verifies that terms making no sense on events, and malformed positions, are 400s by name. */
  @Test
  void refusesWhatMeansNothingOnEvents() {
    assertBadRequest(one.get("/events?query=created-after:2020-01-01"), "created-after:");
    assertBadRequest(one.get("/events?query=type:ActivityGroup"), "ActivityGroup");
    assertBadRequest(one.get("/events?query=status:bogus"), "bogus");
    assertBadRequest(one.get("/events?after=yesterday"), "yesterday");
    assertBadRequest(
        await(one.api(HttpMethod.GET, "/events").putHeader("Last-Event-ID", "12").send()), "'12'");
  }

  /** Verifies that an account past its streams on an instance gets 429, and may open one again. */
  @Test
  void boundsTheStreamsOfAnAccount(Vertx vertx) {
    SseClient held = new SseClient(vertx, two.server.httpPort(), two.token, "", null);
    eventually(10, () -> held.startedAfter != null);
    SseClient refused = new SseClient(vertx, two.server.httpPort(), two.token, "", null);
    assertThat(refused.status).isEqualTo(429);
    refused.close();
    held.close();
    eventually(
        10,
        () -> {
          SseClient again = new SseClient(vertx, two.server.httpPort(), two.token, "", null);
          again.close();
          return again.status == 200;
        });
  }

  private static void createInParallel(long computer, int count) {
    List<Future<?>> created =
        IntStream.range(0, count)
            .<Future<?>>mapToObj(
                i -> one.api(HttpMethod.POST, "/activities").sendJsonObject(script(computer)))
            .toList();
    await(Future.all(created));
  }

  /** The account's log after a position, as the database holds it. */
  private static List<String> positionsAfter(long account, Position after) {
    List<String> positions = new ArrayList<>();
    await(
            one.server
                .pool()
                .preparedQuery(
                    """
                    SELECT xid, id FROM (
                      SELECT e.xid, e.id, a.account_id
                        FROM activity_events e JOIN activities a ON a.id = e.activity_id
                      UNION ALL
                      SELECT xid, id, account_id FROM computer_events
                    ) log
                     WHERE account_id = $1 AND (xid, id) > ($2, $3) ORDER BY xid, id
                    """)
                .execute(Tuple.of(account, after.xid(), after.id())))
        .forEach(row -> positions.add(new Position(row.getLong(0), row.getLong(1)).toString()));
    return positions;
  }

  private static String to(JsonObject event) {
    return event.getString("to");
  }
}
