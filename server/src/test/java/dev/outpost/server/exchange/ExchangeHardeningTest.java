package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What agents send that the store cannot take as it is, and what the unauthenticated may send: no
 * message fails its computer's exchanges twice, and nobody unknown makes the server read a large
 * body.
 */
@ExtendWith(VertxExtension.class)
class ExchangeHardeningTest {

  private static final int UNAUTHENTICATED_LIMIT = 16 * 1024;

  private static ServerFixture fx;
  private static Pool pool;

  @BeforeAll
  static void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_UNAUTHENTICATED_MAX_BODY_BYTES", Integer.toString(UNAUTHENTICATED_LIMIT)),
            Map.of());
    pool = Database.pool(vertx, TestSupport.database(), 1);
  }

  @AfterAll
  static void stop() {
    await(pool.close());
    fx.close();
  }

  /**
   * Verifies that a script's output with a NUL byte is stored, the NUL replaced, and that the
   * computer goes on getting activities (PostgreSQL refused the text, the exchange answered 500,
   * the agent sent the same result again, and nothing reached that computer again).
   */
  @Test
  void aResultWithANulIsStoredAndItsComputerKeepsGettingActivities() {
    ProtocolClient agent = ProtocolClient.registered(fx, "nul-1");
    long first = delivered(agent);

    agent.exchange(List.of(ProtocolClient.result(first, 6, 0, "a\0b")));

    JsonObject activity = activity(first);
    assertThat(activity.getString("status")).isEqualTo("succeeded");
    assertThat(activity.getString("result_text")).isEqualTo("a\uFFFDb");
    long second = create(agent);
    assertThat(agent.exchange(List.of()).mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.integer("operation-id")).isEqualTo(second));
  }

  /**
   * Verifies that a message that cannot be read is quarantined with its reason, visible to admins
   * and counted, while the rest of its exchange applies.
   */
  @Test
  void anUnreadableMessageIsQuarantinedAndTheRestOfItsExchangeApplies() {
    ProtocolClient agent = ProtocolClient.registered(fx, "unreadable-1");
    long id = delivered(agent);
    Map<String, Object> unreadable = ProtocolClient.result(id, 6, 0, "done");
    unreadable.put("status", "six");

    agent.exchange(List.of(unreadable, ProtocolClient.result(id, 6, 0, "done")));

    assertThat(activity(id).getString("status")).isEqualTo("succeeded");
    JsonArray quarantined = quarantined(agent);
    assertThat(quarantined).hasSize(1);
    JsonObject entry = quarantined.getJsonObject(0);
    assertThat(entry.getString("type")).isEqualTo("operation-result");
    assertThat(entry.getString("reason")).contains("status");
    assertThat(new JsonObject(entry.getString("message")).getString("status")).isEqualTo("six");
    assertThat(await(fx.http.get("/metrics").send()).bodyAsString())
        .containsPattern("outpost_quarantined_messages_total [1-9]");
  }

  /**
   * Verifies that a message the database refuses is quarantined with the database's reason, and the
   * exchange carrying it, with a result besides, applies the rest and is answered. GIVEN a trigger
   * that refuses usg-audit reports marked 'refuse-me' (as a constraint would); WHEN an agent sends
   * one with a result in the same exchange; THEN the result applies, the report is quarantined, and
   * the next exchange delivers.
   */
  @Test
  void aMessageTheDatabaseRefusesIsQuarantinedAndTheRestApplies() {
    await(
        pool.query(
                """
            CREATE OR REPLACE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'marked to be refused' USING ERRCODE = 'check_violation';
            END $$;
            CREATE TRIGGER refuse_marked BEFORE INSERT ON client_messages FOR EACH ROW
              WHEN (NEW.body ? 'refuse-me') EXECUTE FUNCTION refuse_marked();
            """)
            .execute());
    try {
      ProtocolClient agent = ProtocolClient.registered(fx, "refused-1");
      long id = delivered(agent);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("type", "usg-audit");
      report.put("refuse-me", true);

      agent.exchange(List.of(report, ProtocolClient.result(id, 6, 0, "done")));

      assertThat(activity(id).getString("status")).isEqualTo("succeeded");
      assertThat(quarantined(agent))
          .singleElement()
          .satisfies(
              q ->
                  assertThat(((JsonObject) q).getString("reason"))
                      .contains("marked to be refused"));
      long next = create(agent);
      assertThat(agent.exchange(List.of()).mapList("messages"))
          .singleElement()
          .satisfies(m -> assertThat(m.integer("operation-id")).isEqualTo(next));
    } finally {
      await(pool.query("DROP TRIGGER refuse_marked ON client_messages").execute());
    }
  }

  /**
   * Verifies that a report with a NUL and a float JSON has no form for is recorded, made storable
   * (JSON encoding refused the NaN and the exchange answered 500, again and again).
   */
  @Test
  void aReportWithANulAndANanIsRecorded() {
    ProtocolClient agent = ProtocolClient.registered(fx, "report-1");
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("type", "usg-audit");
    report.put("hostname", "a\0b");
    report.put("load", Double.NaN);

    agent.exchange(List.of(report));

    JsonObject body = recorded(agent.insecureId, "usg-audit").get(0);
    assertThat(body.getString("hostname")).isEqualTo("a\uFFFDb");
    assertThat(body.getString("load")).isEqualTo("NaN");
  }

  /** Verifies that each computer keeps only the newest reports of each type. */
  @Test
  void aComputerKeepsItsNewestReportsOfEachType() {
    ProtocolClient agent = ProtocolClient.registered(fx, "reports-1");
    for (int i = 0; i < ClientMessageStore.KEPT_PER_TYPE + 3; i++) {
      agent.exchange(List.of(Map.of("type", "usg-audit", "n", (long) i)));
    }

    List<JsonObject> kept = recorded(agent.insecureId, "usg-audit");
    assertThat(kept).hasSize(ClientMessageStore.KEPT_PER_TYPE);
    assertThat(kept.get(0).getLong("n")).isEqualTo(ClientMessageStore.KEPT_PER_TYPE + 2L);
  }

  /**
   * Verifies that an exchange naming an unknown secure-id is answered unknown-id without its body
   * being read: a body over the request limit, which any read would refuse with 413.
   */
  @Test
  void anUnknownSecureIdIsAnsweredWithoutItsBodyBeingRead() {
    HttpResponse<Buffer> answer =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("X-Computer-ID", "no-such-computer")
                .sendBuffer(Buffer.buffer(new byte[(int) fx.config.maxBodyBytes() + 1])));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(WireMap.of(Bpickle.decode(answer.body())).mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.text("type")).isEqualTo("unknown-id"));
  }

  /**
   * Verifies that a request no credentials admit is read only up to the small limit (a
   * registration, a ping), while a registered computer's exchange may be larger.
   */
  @Test
  void onlyAdmittedRequestsMaySendLargeBodies() {
    Map<String, Object> large =
        Map.of("messages", List.of(), "padding", Bytes.of(new byte[UNAUTHENTICATED_LIMIT]));
    HttpResponse<Buffer> unregistered =
        await(
            fx.http
                .post("/message-system")
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer(Bpickle.encode(large))));
    HttpResponse<Buffer> ping =
        await(
            fx.http
                .post("/ping")
                .sendBuffer(Buffer.buffer("insecure_id=1&x=" + "y".repeat(UNAUTHENTICATED_LIMIT))));
    ProtocolClient agent = ProtocolClient.registered(fx, "large-1");
    HttpResponse<Buffer> registered =
        await(agent.request().sendBuffer(Buffer.buffer(Bpickle.encode(large))));

    assertThat(unregistered.statusCode()).isEqualTo(413);
    assertThat(ping.statusCode()).isEqualTo(413);
    assertThat(registered.statusCode()).isEqualTo(200);
  }

  /**
   * Verifies that a JSON agent's result with an unpaired surrogate is stored, the surrogate
   * replaced, rather than its whole exchange refused (again and again).
   */
  @Test
  void aJsonResultWithAnUnpairedSurrogateIsStored() {
    ProtocolClient agent = ProtocolClient.registered(fx, "surrogate-1");
    long id = delivered(agent);
    String payload =
        "{\"sequence\": "
            + agent.sequence
            + ", \"next-expected-sequence\": "
            + agent.nextExpected
            + ", \"messages\": [{\"type\": \"operation-result\", "
            + "\"operation-id\": "
            + id
            + ", \"status\": 6, \"result-text\": \"x\\ud800y\"}]}";

    HttpResponse<Buffer> answer =
        await(
            agent
                .request()
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(payload)));

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(activity(id).getString("result_text")).isEqualTo("x\uFFFDy");
  }

  private static long create(ProtocolClient agent) {
    return fx.post("/activities", script(agent.insecureId)).bodyAsJsonObject().getLong("id");
  }

  /** Creates a script activity and has the agent take it; its id. */
  private static long delivered(ProtocolClient agent) {
    long id = create(agent);
    assertThat(agent.exchange(List.of()).mapList("messages")).isNotEmpty();
    return id;
  }

  private static JsonObject activity(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject();
  }

  private static JsonArray quarantined(ProtocolClient agent) {
    HttpResponse<Buffer> response =
        fx.get("/computers/" + agent.insecureId + "/quarantined-messages");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("results");
  }

  /** The computer's recorded messages of a type, newest first. */
  private static List<JsonObject> recorded(long computer, String type) {
    return await(
            pool.preparedQuery(
                    """
            SELECT body FROM client_messages WHERE computer_id = $1 AND type = $2
             ORDER BY id DESC
            """)
                .execute(Tuple.of(computer, type)))
        .stream()
        .map(row -> (JsonObject) row.getValue(0))
        .toList();
  }
}
