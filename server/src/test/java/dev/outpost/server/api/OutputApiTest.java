package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.EventStream;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.activity.ActivityArchive;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A running activity's output as agents send it in {@code operation-output} messages: read from an
 * offset, capped, followed as Server-Sent Events until the activity ends, and another account's
 * refused.
 */
@ExtendWith(VertxExtension.class)
class OutputApiTest {

  /** The cap of this test's server, small enough to pass. */
  private static final int CAP = 40;

  private static ServerFixture fx;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    fx = new ServerFixture(v, Map.of("OUTPOST_MAX_OUTPUT_CHARS", Integer.toString(CAP)), Map.of());
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that output is read from any offset, a chunk inside a character as well as between,
   * that a chunk sent again changes nothing, and that the activity's end completes it.
   */
  @Test
  void outputIsReadFromAnOffsetAndEndsWithTheActivity() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-read");
    long id = running(agent);

    agent.exchange(List.of(chunk(id, 0, "line 1\n"), chunk(id, 7, "línea ②\n")));
    agent.exchange(List.of(chunk(id, 7, "línea ②\n")));

    assertThat(read(id, 0)).isEqualTo(slice(0, "line 1\nlínea ②\n", 15, false, false));
    assertThat(read(id, 9)).isEqualTo(slice(9, "nea ②\n", 15, false, false));
    assertThat(read(id, 15)).isEqualTo(slice(15, "", 15, false, false));

    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "line 1\nlínea ②\n")));

    assertThat(read(id, 15).getBoolean("complete")).isTrue();
  }

  /**
   * Verifies that output past the cap is cut there, more is refused, and readers are told; a chunk
   * naming another computer's activity is dropped.
   */
  @Test
  void outputPastTheCapIsCutAndSaysSo() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-cap");
    ProtocolClient stranger = ProtocolClient.registered(fx, "output-stranger");
    long id = running(agent);
    String thirty = "0123456789".repeat(3);

    agent.exchange(List.of(chunk(id, 0, thirty), chunk(id, 30, thirty)));
    agent.exchange(List.of(chunk(id, 60, "more")));
    stranger.exchange(List.of(chunk(id, 0, "not mine")));

    assertThat(read(id, 0)).isEqualTo(slice(0, thirty + thirty.substring(0, 10), CAP, false, true));
  }

  /**
   * Verifies that a follower gets every chunk once and in order as the agent sends them, from the
   * offset it asked for, and that the stream ends with the activity in a final event.
   */
  @Test
  void aFollowerGetsEveryChunkOnceAndTheEnd() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-follow");
    long id = running(agent);
    agent.exchange(List.of(chunk(id, 0, "skipped\n")));
    EventStream stream =
        EventStream.open(vertx, fx, "/activities/" + id + "/output?follow=true&offset=8");

    for (int i = 1; i <= 5; i++) {
      agent.exchange(List.of(chunk(id, 8 + 3L * (i - 1), "l" + i + "\n")));
    }
    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "done")));
    String body = await(stream.ended());

    List<JsonObject> outputs = EventStream.events(body, "output");
    StringBuilder text = new StringBuilder();
    long expected = 8;
    for (JsonObject event : outputs) {
      assertThat(event.getLong("offset")).isEqualTo(expected);
      text.append(event.getString("text"));
      expected = event.getLong("next_offset");
    }
    assertThat(text.toString()).as(body).isEqualTo("l1\nl2\nl3\nl4\nl5\n");
    assertThat(EventStream.events(body, "end"))
        .singleElement()
        .satisfies(
            end -> {
              assertThat(end.getBoolean("complete")).isTrue();
              assertThat(end.getLong("next_offset")).isEqualTo(23);
            });
    assertThat(body.indexOf("event: end")).isGreaterThan(body.lastIndexOf("event: output"));
  }

  /**
   * Verifies that a follower of an activity that printed nothing is told of its end by the result
   * that ends it (the event log's notice), not at the stream's next keepalive.
   */
  @Test
  void aFollowerOfAnActivityWithoutOutputLearnsOfItsEnd() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-silent");
    long id = running(agent);
    EventStream stream = EventStream.open(vertx, fx, "/activities/" + id + "/output?follow=true");

    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "")));
    String body = await(stream.ended());

    assertThat(EventStream.events(body, "output")).isEmpty();
    assertThat(EventStream.events(body, "end"))
        .singleElement()
        .satisfies(end -> assertThat(end.getBoolean("complete")).isTrue());
    assertThat(body).as("ended before any keepalive").doesNotContain(": keepalive");
  }

  /** Verifies that an activity's output goes with it when ArchiveRequest archives it. */
  @Test
  void outputGoesWithItsActivityWhenArchived() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-archived");
    long id = running(agent);
    agent.exchange(List.of(chunk(id, 0, "old\n")));
    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "old\n")));

    await(
        new ActivityArchive(fx.server.pool())
            .archive(fx.accountId, fx.clock.instant().plus(Duration.ofDays(1))));

    assertThat(
            await(
                    fx.server
                        .pool()
                        .preparedQuery(
                            "SELECT count(*) FROM activity_output WHERE activity_id = $1")
                        .execute(Tuple.of(id)))
                .iterator()
                .next()
                .getLong(0))
        .isZero();
    assertThat(read(id, 0)).isEqualTo(slice(0, "", 0, true, false));
  }

  /** Verifies that another account's activity is 404, read or followed, and a bad offset 400. */
  @Test
  void anotherAccountsOutputIsNotFound() {
    ProtocolClient agent = ProtocolClient.registered(fx, "output-private");
    long id = running(agent);
    agent.exchange(List.of(chunk(id, 0, "secret\n")));
    String otherToken = TestSupport.unique("token");
    await(
        fx.server
            .accounts()
            .ensureAccount(
                TestSupport.unique("other"), TestSupport.unique("key"), "eve", otherToken));

    for (String query : List.of("", "?follow=true")) {
      HttpResponse<Buffer> peek =
          await(
              fx.http
                  .get("/api/v2/activities/" + id + "/output" + query)
                  .bearerTokenAuthentication(otherToken)
                  .send());
      assertThat(peek.statusCode()).isEqualTo(404);
      assertThat(peek.bodyAsString()).doesNotContain("secret");
    }
    assertThat(fx.get("/activities/" + id + "/output?offset=-1").statusCode()).isEqualTo(400);
  }

  private static long running(ProtocolClient agent) {
    fx.post("/activities", ProtocolClient.scriptFor(List.of(agent)));
    WireMap answer = agent.exchange(List.of());
    return answer.mapList("messages").stream()
        .filter(m -> m.text("type").equals("execute-script"))
        .findFirst()
        .orElseThrow()
        .integer("operation-id");
  }

  private static Map<String, Object> chunk(long id, long offset, String text) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "operation-output");
    message.put("api", Bytes.of("3.2"));
    message.put("timestamp", 0L);
    message.put("operation-id", id);
    message.put("offset", offset);
    message.put("text", text);
    return message;
  }

  private static JsonObject read(long id, long offset) {
    HttpResponse<Buffer> response = fx.get("/activities/" + id + "/output?offset=" + offset);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject slice(
      long offset, String text, long next, boolean complete, boolean truncated) {
    return new JsonObject()
        .put("offset", offset)
        .put("text", text)
        .put("next_offset", next)
        .put("complete", complete)
        .put("truncated", truncated);
  }
}
