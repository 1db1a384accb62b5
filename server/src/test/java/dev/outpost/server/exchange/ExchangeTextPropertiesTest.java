package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.JsonCodec;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever text a result carries (NUL, unpaired surrogates, megabytes), its exchange is answered,
 * the text is kept as storable text, and the computer's next activity reaches it. Results go as
 * JSON, the one encoding that can carry an unpaired surrogate.
 */
class ExchangeTextPropertiesTest {

  private static final String MARK = "@@text@@";
  private static Vertx vertx;
  private static ServerFixture fx;
  private static ProtocolClient agent;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    fx = new ServerFixture(vertx);
    agent = ProtocolClient.registered(fx, "texts-1");
  }

  @AfterContainer
  static void stop() {
    fx.close();
    await(vertx.close());
  }

  /** Short text of any UTF-16 units, text thick with NUL and surrogates, and megabytes. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.strings().all().ofMaxLength(300)),
        net.jqwik.api.Tuple.of(
            3,
            Arbitraries.strings()
                .withChars('\0', 'a', '\ud800', '\udc00', '\ud83d', '\ude00', '\n')
                .ofMaxLength(50)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.integers()
                .between(1, 2)
                .map(mb -> "\ud800" + "x".repeat(mb * 1_000_000 - 1) + "\0")));
  }

  /** Verifies that any result text is answered, kept storable, and the next activity delivered. */
  @Property(tries = 30)
  void anyResultTextIsKeptAndTheNextActivityDelivered(@ForAll("texts") String text) {
    long id = create();
    assertThat(operations(exchange(List.of(), null))).contains(id);

    Map<String, Object> result = ProtocolClient.result(id, 6, 0, MARK);
    exchange(List.of(result), text);

    JsonObject activity = fx.get("/activities/" + id).bodyAsJsonObject();
    assertThat(activity.getString("status")).isEqualTo("succeeded");
    String kept =
        text.length() > OperationResult.MAX_TEXT
            ? text.substring(0, OperationResult.MAX_TEXT)
            : text;
    assertThat(activity.getString("result_text")).isEqualTo(StorableText.of(kept));
    long next = create();
    assertThat(operations(exchange(List.of(), null))).contains(next);
    exchange(List.of(ProtocolClient.result(next, 6, 0, "ok")), null);
  }

  private static List<Long> operations(WireMap answer) {
    return answer.mapList("messages").stream()
        .flatMap(m -> m.optionalInteger("operation-id").stream())
        .toList();
  }

  private static long create() {
    return fx.post("/activities", script(agent.insecureId)).bodyAsJsonObject().getLong("id");
  }

  /** One JSON exchange of the agent; the text, when given, takes the place of {@link #MARK}. */
  private static WireMap exchange(List<Map<String, Object>> messages, String text) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("sequence", agent.sequence);
    payload.put("next-expected-sequence", agent.nextExpected);
    payload.put("messages", messages);
    String json = new String(JsonCodec.encode(payload), StandardCharsets.UTF_8);
    if (text != null) {
      json = json.replace('"' + MARK + '"', '"' + escaped(text) + '"');
    }
    HttpResponse<Buffer> response =
        await(
            agent
                .request()
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(json)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    WireMap answer = WireMap.of(JsonCodec.decode(response.body().getBytes()));
    agent.sequence += messages.size();
    agent.nextExpected += answer.mapList("messages").size();
    return answer;
  }

  /** JSON's escapes for quotes, backslashes and every unit below space or a surrogate. */
  private static String escaped(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
