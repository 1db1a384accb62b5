package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The message exchange, spoken byte for byte in bpickle against the real server and database. */
@ExtendWith(VertxExtension.class)
class MessageSystemTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Verifies that an unknown client is told to register, and that a wrong key is refused. */
  @Test
  void anUnknownClientIsToldToRegister() {
    ProtocolClient client = new ProtocolClient(fx.http);

    WireMap first = client.exchange(List.of());
    assertThat(first.bytes("server-api").asUtf8()).isEqualTo("3.3");
    assertThat(first.has("server-uuid")).isTrue();
    assertThat(first.mapList("messages"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("accepted-types");
              assertThat(m.textList("types")).containsExactly("register");
            });

    WireMap refused = client.register(fx.accountName, "wrong-key", "intruder");
    assertThat(refused.mapList("messages"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("registration");
              assertThat(m.text("info")).isEqualTo("unknown-account");
            });
    assertThat(client.secureId).isNull();
  }

  /**
   * Verifies registration: set-id with a bytes secure-id and an int insecure-id, then the computer
   * is listed.
   */
  @Test
  void registersAComputer() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.exchange(List.of());

    WireMap answer = client.register(fx.accountName, fx.registrationKey, "web-1");

    WireMap setId = answer.mapList("messages").get(1);
    assertThat(setId.text("type")).isEqualTo("set-id");
    assertThat(setId.get("id")).isInstanceOf(dev.outpost.common.wire.Bytes.class);
    assertThat(setId.integer("insecure-id")).isPositive();
    assertThat(answer.mapList("messages").get(0).textList("types"))
        .contains("operation-result", "register");
    JsonObject computer = fx.get("/computers/" + client.insecureId).bodyAsJsonObject();
    assertThat(computer.getString("title")).isEqualTo("web-1");
    assertThat(computer.getString("hostname")).isEqualTo("web-1.example");
    assertThat(computer.getJsonArray("tags")).containsExactly("web", "prod");

    // the reports the client's plugins send once are accepted from the next exchange on
    WireMap next = client.exchange(List.of());
    assertThat(next.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.textList("types")).contains("users", "processor-info"));
    assertThat(next.has("next-exchange-token")).isTrue();
    assertThat(client.exchange(List.of()).mapList("messages")).isEmpty();
  }

  /**
   * Verifies that a computer keeps only the tags it registers with that are tags, each once: one
   * with a space, a quote or a character past letters, digits and {@code -_.} would break a query
   * or a script's comma-separated LANDSCAPE_COMPUTER_TAGS.
   */
  @Test
  void registrationKeepsOnlyTags() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.exchange(List.of());

    client.register(
        fx.accountName, fx.registrationKey, "tagged-1", " web ,web,two words,a\"b,<x>,,db.1,é_-");

    JsonObject computer = fx.get("/computers/" + client.insecureId).bodyAsJsonObject();
    assertThat(computer.getJsonArray("tags")).containsExactly("web", "db.1", "é_-");
  }

  /**
   * Verifies that landscape-config's one-shot registration does not count in the broker's
   * numbering: GIVEN a computer registered with a bare payload and an activity queued, WHEN the
   * broker exchanges from sequence 0, THEN it is not told to skip ahead (which makes it
   * resynchronize) and its first message, a result, is applied rather than dropped as a repeat.
   */
  @Test
  void aOneShotRegistrationLeavesTheBrokersSequenceAtZero() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.registerOneShot(fx.accountName, fx.registrationKey, "one-shot-1");
    long id = script(client.insecureId);

    WireMap first = client.exchange(List.of());

    assertThat(first.integer("next-expected-sequence")).isZero();
    assertThat(first.mapList("messages"))
        .extracting(m -> m.text("type"))
        .contains("set-id", "execute-script");
    WireMap second = client.exchange(List.of(ProtocolClient.result(id, 6, 0, "ran once\n")));
    assertThat(second.integer("next-expected-sequence")).isEqualTo(1);
    assertThat(status(id)).isEqualTo("succeeded");
  }

  /**
   * Verifies that the registration answer accepts the types before it sets the id: set-id makes the
   * Landscape Client's plugins resynchronize, and a plugin told of a newly accepted type after that
   * reports on a dropped session, so its first computer-info is lost for good.
   */
  @Test
  void theRegistrationAnswerAcceptsTheTypesBeforeItSetsTheId() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.exchange(List.of());

    WireMap answer = client.register(fx.accountName, fx.registrationKey, "order-1");

    assertThat(answer.mapList("messages"))
        .extracting(m -> m.text("type"))
        .containsExactly("accepted-types", "set-id");
  }

  /**
   * Verifies that the types a client lists in its registering exchange are kept: GIVEN a client
   * that sends its accepted types with every exchange until told a matching hash, WHEN it
   * registers, THEN the answer's client-accepted-types-hash is theirs, so it stops sending them.
   */
  @Test
  void theRegistrationKeepsTheTypesTheClientAccepts() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.clientTypes = List.of("accepted-types", "execute-script", "resynchronize", "set-id");
    WireMap first = client.exchange(List.of());
    assertThat(first.has("client-accepted-types-hash")).isFalse();

    WireMap answer = client.register(fx.accountName, fx.registrationKey, "types-1");

    assertThat(answer.bytes("client-accepted-types-hash").toArray())
        .isEqualTo(ServerTypes.digest(client.clientTypes));
  }

  /**
   * Verifies that what a registering client reported is kept without its registration key, in both
   * forms of the register message: the database holds only the key's hash.
   */
  @Test
  void theRegistrationKeyIsNotKeptWithTheRecord(Vertx vertx) {
    ProtocolClient broker = registered("record-1");
    ProtocolClient oneShot = new ProtocolClient(fx.http);
    oneShot.registerOneShot(fx.accountName, fx.registrationKey, "record-2");

    Pool pool = Database.pool(vertx, TestSupport.database(), 1);
    try {
      for (long id : List.of(broker.insecureId, oneShot.insecureId)) {
        JsonObject info =
            await(
                    pool.preparedQuery("SELECT registration_info FROM computers WHERE id = $1")
                        .execute(Tuple.of(id)))
                .iterator()
                .next()
                .getJsonObject(0);
        assertThat(info.getString("account_name")).isEqualTo(fx.accountName);
        assertThat(info.fieldNames()).doesNotContain("registration_password");
        assertThat(info.encode()).doesNotContain(fx.registrationKey);
      }
    } finally {
      await(pool.close());
    }
  }

  /**
   * Verifies that a resynchronize request travels alone: the Landscape Client drops its plugins'
   * session ids when it gets one and discards results sent before new ids arrive, so a script in
   * the same response that ended at once never reported. GIVEN a script, a resynchronize and a
   * script queued in that order, THEN three exchanges deliver them one response each.
   */
  @Test
  void aResynchronizeRequestIsDeliveredAlone() {
    ProtocolClient client = registered("resync-1");
    client.exchange(List.of());
    long before = script(client.insecureId);
    long resync =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ResynchronizeRequest")
                    .put("computer_ids", new JsonArray().add(client.insecureId)))
            .bodyAsJsonObject()
            .getLong("id");
    long after = script(client.insecureId);

    List<Long> first = operationIds(client.exchange(List.of()));
    List<Long> second = operationIds(client.exchange(List.of()));
    List<Long> third = operationIds(client.exchange(List.of()));

    assertThat(first).containsExactly(before);
    assertThat(second).containsExactly(resync);
    assertThat(third).containsExactly(after);
  }

  /**
   * Verifies that a registered client whose accepted-types digest is stale (it lost its copy) is
   * sent the types again, and only once while that message waits to be acknowledged.
   */
  @Test
  void aStaleAcceptedTypesDigestGetsTheTypesAgain() {
    ProtocolClient client = registered("types-1");
    client.exchange(List.of()); // acknowledges the welcome
    byte[] current = client.acceptedTypesDigest;

    client.acceptedTypesDigest = new byte[0];
    long before = client.nextExpected;
    WireMap answer = client.exchange(List.of());
    assertThat(answer.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.text("type")).isEqualTo("accepted-types"));

    client.nextExpected = before; // the answer was lost, the digest is still stale
    client.acceptedTypesDigest = new byte[0];
    WireMap again = client.exchange(List.of());
    assertThat(again.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.text("type")).isEqualTo("accepted-types"));
    assertThat(client.acceptedTypesDigest).isEqualTo(current);
    assertThat(client.exchange(List.of()).mapList("messages")).isEmpty();
  }

  /** Verifies that an exchange with a secure-id the server does not know is answered unknown-id. */
  @Test
  void anUnknownSecureIdIsToldSo() {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.secureId = "not-a-known-id";

    WireMap answer = client.exchange(List.of());

    assertThat(answer.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.text("type")).isEqualTo("unknown-id"));
  }

  /**
   * Verifies delivery: a queued activity goes out once with its operation-id, is In Progress, is
   * re-sent while unacknowledged and dropped once acknowledged.
   */
  @Test
  void deliversAnActivityOnceUntilAcknowledged() {
    ProtocolClient client = registered("deliver-1");
    long id = script(client.insecureId);

    long before = client.nextExpected;
    WireMap answer = client.exchange(List.of());
    assertThat(answer.mapList("messages"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("execute-script");
              assertThat(m.integer("operation-id")).isEqualTo(id);
              assertThat(m.text("code")).isEqualTo("echo hi");
              assertThat(m.text("interpreter")).isEqualTo("/bin/sh");
            });
    assertThat(status(id)).isEqualTo("in-progress");

    client.nextExpected = before; // the answer was lost: the client still expects it
    WireMap again = client.exchange(List.of());
    assertThat(again.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.integer("operation-id")).isEqualTo(id));

    assertThat(client.exchange(List.of()).mapList("messages")).isEmpty();
    assertThat(fx.get("/activities/" + id + "/events").bodyAsJsonObject().getJsonArray("results"))
        .hasSize(2);
  }

  /**
   * Verifies acknowledgement: a client that has only the first of three messages gets the other two
   * again, in order, and nothing once it has them all.
   */
  @Test
  void dropsOnlyWhatTheClientAcknowledged() {
    ProtocolClient client = registered("ack-part-1");
    long first = script(client.insecureId);
    long second = script(client.insecureId);
    long third = script(client.insecureId);

    long before = client.nextExpected;
    assertThat(operationIds(client.exchange(List.of()))).containsExactly(first, second, third);

    client.nextExpected = before + 1; // only the first arrived
    assertThat(operationIds(client.exchange(List.of()))).containsExactly(second, third);
    assertThat(client.exchange(List.of()).mapList("messages")).isEmpty();
  }

  /**
   * Verifies results: status 6 succeeds with code and text kept, a repeat changes nothing,
   * duplicates by sequence are dropped and a gap is answered with the expected number.
   */
  @Test
  void recordsResultsOnceWhateverRepeats() {
    ProtocolClient client = registered("results-1");
    long ok = script(client.insecureId);
    long bad = script(client.insecureId);
    client.exchange(List.of());

    long start = client.sequence;
    WireMap answer = client.exchange(List.of(ProtocolClient.result(ok, 6, 0, "hello\n")));
    assertThat(answer.integer("next-expected-sequence")).isEqualTo(start + 1);
    JsonObject done = fx.get("/activities/" + ok).bodyAsJsonObject();
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).isEqualTo("hello\n");
    assertThat(done.getString("completed_at")).isNotNull();

    // the same message re-sent (the answer was lost), followed by a new one
    client.sequence = start;
    answer =
        client.exchange(
            List.of(
                ProtocolClient.result(ok, 5, 1, "changed?"),
                ProtocolClient.result(bad, 5, 103, "exit 1")));
    assertThat(answer.integer("next-expected-sequence")).isEqualTo(start + 2);
    assertThat(status(ok)).isEqualTo("succeeded");
    assertThat(fx.get("/activities/" + ok).bodyAsJsonObject().getString("result_text"))
        .isEqualTo("hello\n");
    JsonObject failed = fx.get("/activities/" + bad).bodyAsJsonObject();
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getInteger("result_code")).isEqualTo(103);

    client.sequence = start + 10;
    answer = client.exchange(List.of(ProtocolClient.result(ok, 5, 1, "from the future")));
    assertThat(answer.integer("next-expected-sequence")).isEqualTo(start + 2);
    assertThat(status(ok)).isEqualTo("succeeded");
  }

  /** Verifies that a result for a Canceled activity is recorded and the status stays Canceled. */
  @Test
  void aLateResultOnACanceledActivityIsRecorded() {
    ProtocolClient client = registered("cancel-1");
    long id = script(client.insecureId);
    client.exchange(List.of());
    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    client.exchange(List.of(ProtocolClient.result(id, 6, 0, "done anyway")));

    JsonObject activity = fx.get("/activities/" + id).bodyAsJsonObject();
    assertThat(activity.getString("status")).isEqualTo("canceled");
    assertThat(activity.getString("result_text")).isEqualTo("done anyway");
  }

  /** Verifies that a result naming another computer's activity is refused. */
  @Test
  void aResultForAnotherComputersActivityIsRefused() {
    ProtocolClient owner = registered("owner-1");
    ProtocolClient other = registered("other-1");
    long id = script(owner.insecureId);
    owner.exchange(List.of());

    WireMap answer = other.exchange(List.of(ProtocolClient.result(id, 6, 0, "not mine")));

    assertThat(answer.integer("next-expected-sequence")).isEqualTo(other.sequence);
    assertThat(status(id)).isEqualTo("in-progress");
  }

  /** Verifies that ping answers true while something waits and false otherwise. */
  @Test
  void pingTellsWhetherMessagesWait() {
    ProtocolClient client = registered("ping-1");
    client.exchange(List.of());
    assertThat(ping(client.insecureId)).isFalse();

    script(client.insecureId);

    assertThat(ping(client.insecureId)).isTrue();
    assertBadRequest(
        await(
            fx.http
                .post("/ping")
                .sendForm(
                    io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("insecure_id", "x"))));
  }

  /**
   * Verifies that pings sent together, answered together, each get their own computer's answer:
   * GIVEN three computers of which one has a script waiting WHEN each pings twenty times at once
   * (and a computer that does not exist too) THEN only the waited-for one's pings say so.
   */
  @Test
  void pingsSentTogetherAreAnsweredEachByItsComputer() {
    List<ProtocolClient> clients =
        List.of(registered("ping-many-1"), registered("ping-many-2"), registered("ping-many-3"));
    clients.forEach(client -> client.exchange(List.of()));
    script(clients.get(1).insecureId);

    List<Long> pinged = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      for (long id :
          List.of(
              clients.get(0).insecureId,
              clients.get(1).insecureId,
              clients.get(2).insecureId,
              Long.MAX_VALUE)) {
        pinged.add(id);
        answers.add(
            fx.http
                .post("/ping")
                .sendForm(
                    io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("insecure_id", "" + id)));
      }
    }
    for (int i = 0; i < answers.size(); i++) {
      HttpResponse<Buffer> response = await(answers.get(i));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(WireMap.of((Map<?, ?>) Bpickle.decode(response.body())).bool("messages"))
          .as("ping of %d", pinged.get(i))
          .isEqualTo(pinged.get(i) == clients.get(1).insecureId);
    }
  }

  /** Verifies that attachments are sent as ids and fetched with the computer's secure-id only. */
  @Test
  void scriptAttachmentsAreFetchedById() {
    ProtocolClient client = registered("attach-1");
    JsonObject request =
        new JsonObject()
            .put("type", "ExecuteScriptRequest")
            .put("computer_ids", new JsonArray().add(client.insecureId))
            .put(
                "parameters",
                new JsonObject()
                    .put("code", "cat $LANDSCAPE_ATTACHMENTS/a.txt")
                    .put("attachments", new JsonObject().put("a.txt", "attached!")));
    fx.post("/activities", request);

    WireMap message = client.exchange(List.of()).mapList("messages").get(0);
    long attachmentId = message.map("attachments").integer("a.txt");

    HttpResponse<Buffer> fetched =
        await(
            fx.http
                .get("/attachment/" + attachmentId)
                .putHeader("X-Computer-ID", client.secureId)
                .send());
    assertThat(fetched.bodyAsString()).isEqualTo("attached!");
    assertThat(
            await(
                    fx.http
                        .get("/attachment/" + attachmentId)
                        .putHeader("X-Computer-ID", "someone-else")
                        .send())
                .statusCode())
        .isEqualTo(404);
  }

  /** Verifies that malformed bodies are 400s naming the problem and oversized ones 413. */
  @Test
  void malformedBodiesAreRefusedCleanly() {
    HttpResponse<Buffer> garbage =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer("du8:messagesl")));
    assertBadRequest(garbage);
    HttpResponse<Buffer> notADict =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer(Bpickle.encode(List.of(1L)))));
    assertBadRequest(notADict);
    HttpResponse<Buffer> huge =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer(new byte[5 * 1024 * 1024])));
    assertThat(huge.statusCode()).isEqualTo(413);
  }

  /** Verifies that the JSON encoding works through the same exchange. */
  @Test
  void speaksJsonToo() {
    HttpResponse<Buffer> answer =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"messages\": [], \"sequence\": 0}")));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Content-Type")).startsWith("application/json");
    assertThat(
            answer.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getString("type"))
        .isEqualTo("accepted-types");
  }

  private static ProtocolClient registered(String title) {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.exchange(List.of());
    client.register(fx.accountName, fx.registrationKey, title);
    return client.settled();
  }

  private static long script(long computerId) {
    return fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ExecuteScriptRequest")
                .put("computer_ids", new JsonArray().add(computerId))
                .put("parameters", new JsonObject().put("code", "echo hi")))
        .bodyAsJsonObject()
        .getLong("id");
  }

  private static List<Long> operationIds(WireMap answer) {
    return answer.mapList("messages").stream().map(m -> m.integer("operation-id")).toList();
  }

  private static String status(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }

  private static boolean ping(long insecureId) {
    HttpResponse<Buffer> response =
        await(
            fx.http
                .post("/ping")
                .sendForm(
                    io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                        .add("insecure_id", "" + insecureId)));
    return WireMap.of((Map<?, ?>) Bpickle.decode(response.body())).bool("messages");
  }

  private static void assertBadRequest(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
  }
}
