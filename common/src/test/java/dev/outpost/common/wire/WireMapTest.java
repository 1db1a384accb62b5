package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Typed reading of decoded payloads, the same for bpickle and JSON. */
class WireMapTest {

  private static final byte[] EXCHANGE =
      PythonBytes.of(
          "du10:client-apis3:3.8"
              + "u21:client-accepted-typeslu8:registeru6:set-id;"
              + "u8:messagesldu3:apis3:3.3u9:timestampi1700000000;u4:typeu8:register;;"
              + "u8:sequencei7;u10:server-apis3:3.3;");

  private static final String EXCHANGE_JSON =
      "{\"client-api\": \"3.8\","
          + "\"client-accepted-types\": [\"register\", \"set-id\"],"
          + "\"messages\": [{\"api\": \"3.3\", \"timestamp\": 1700000000, \"type\": \"register\"}],"
          + "\"sequence\": 7, \"server-api\": \"3.3\"}";

  private static MalformedPayloadException failureOf(ThrowingCallable read) {
    MalformedPayloadException failure = catchThrowableOfType(MalformedPayloadException.class, read);
    assertThat(failure.status()).isEqualTo(400);
    return failure;
  }

  /** Verifies that a bpickle payload and its JSON twin read the same through every accessor. */
  @Test
  void bpickleAndJsonPayloadsReadAlike() {
    byte[] json = EXCHANGE_JSON.getBytes(StandardCharsets.UTF_8);
    for (Object decoded : List.of(Bpickle.decode(EXCHANGE), JsonCodec.decode(json))) {
      WireMap payload = WireMap.of(decoded);

      assertThat(payload.text("server-api")).isEqualTo("3.3");
      assertThat(payload.bytes("client-api")).isEqualTo(Bytes.of("3.8"));
      assertThat(payload.integer("sequence")).isEqualTo(7L);
      assertThat(payload.textList("client-accepted-types")).containsExactly("register", "set-id");
      List<WireMap> messages = payload.mapList("messages");
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).text("type")).isEqualTo("register");
      assertThat(messages.get(0).integer("timestamp")).isEqualTo(1_700_000_000L);
      assertThat(payload.optionalInteger("next-expected-sequence")).isEmpty();
    }
  }

  /** Verifies that a key sent as bytes, as older peers do, is found by its text. */
  @Test
  void findsKeysSentAsBytes() {
    WireMap message = WireMap.of(Bpickle.decode(PythonBytes.of("ds4:types6:set-ids2:idi5;;")));

    assertThat(message.has("type")).isTrue();
    assertThat(message.text("type")).isEqualTo("set-id");
    assertThat(message.integer("id")).isEqualTo(5L);
  }

  /** Verifies that a key present both as text and as bytes is refused as ambiguous. */
  @Test
  void refusesAKeyPresentAsTextAndAsBytes() {
    WireMap message = WireMap.of(Map.of("type", "a", Bytes.of("type"), "b"));

    assertThat(failureOf(() -> message.text("type")))
        .hasMessageContaining("key 'type' is present both as text and as bytes");
  }

  /** Verifies that a missing required key is a 400 naming the key. */
  @Test
  void missingKeyIsBadRequest() {
    assertThat(failureOf(() -> WireMap.of(Map.of()).integer("sequence")))
        .hasMessageContaining("key 'sequence' is missing");
  }

  /** Verifies that a wrong type is a 400 naming the key, the type wanted and the type found. */
  @Test
  void wrongTypeIsBadRequestNamingKeyAndTypes() {
    WireMap payload =
        WireMap.of(Map.of("sequence", "7", "flag", 1L, "types", Bytes.of("x"), "count", true));

    assertThat(failureOf(() -> payload.integer("sequence")))
        .hasMessageContaining("key 'sequence' must be an integer, got text");
    assertThat(failureOf(() -> payload.bool("flag")))
        .hasMessageContaining("key 'flag' must be a bool, got integer");
    assertThat(failureOf(() -> payload.list("types")))
        .hasMessageContaining("key 'types' must be a list, got bytes");
    assertThat(failureOf(() -> payload.integer("count")))
        .hasMessageContaining("key 'count' must be an integer, got bool");
    assertThat(failureOf(() -> payload.map("sequence")))
        .hasMessageContaining("key 'sequence' must be a dict, got text");
  }

  /** Verifies that none satisfies an optional key but not a required one. */
  @Test
  void noneIsAbsentForOptionalKeysOnly() {
    Map<String, Object> map = new HashMap<>();
    map.put("password", null);
    WireMap message = WireMap.of(map);

    assertThat(message.has("password")).isTrue();
    assertThat(message.optionalText("password")).isEmpty();
    assertThat(message.optionalText("name")).isEmpty();
    assertThat(failureOf(() -> message.text("password")))
        .hasMessageContaining("key 'password' must be text, got none");
  }

  /** Verifies that an optional key of the wrong type is still a 400, not silently absent. */
  @Test
  void optionalKeyOfWrongTypeIsBadRequest() {
    WireMap message = WireMap.of(Map.of("next-expected-sequence", 1.5));

    assertThat(failureOf(() -> message.optionalInteger("next-expected-sequence")))
        .hasMessageContaining("key 'next-expected-sequence' must be an integer, got float");
  }

  /** Verifies that failures inside nested dicts and lists name the whole path. */
  @Test
  void nestedFailuresNameThePath() {
    WireMap payload =
        WireMap.of(
            Map.of(
                "messages", List.of(Map.of("type", "a"), Map.of("api", Bytes.of("3.3"))),
                "types", List.of("a", 2L)));

    assertThat(failureOf(() -> payload.mapList("messages").get(1).text("type")))
        .hasMessageContaining("key 'messages[1].type' is missing");
    assertThat(failureOf(() -> payload.textList("types")))
        .hasMessageContaining("key 'types[1]' must be text, got integer");
  }

  /** Verifies that reading text from bytes that are not UTF-8 is a 400. */
  @Test
  void bytesThatAreNotUtf8AreNotText() {
    WireMap message = WireMap.of(Map.of("type", Bytes.of(new byte[] {(byte) 0xff})));

    assertThat(failureOf(() -> message.text("type")))
        .hasMessageContaining("key 'type' must be text, got bytes that are not UTF-8");
  }

  /** Verifies that an integer beyond a long is a 400 rather than a silent truncation. */
  @Test
  void integerBeyondALongIsBadRequest() {
    WireMap message = WireMap.of(Map.of("id", BigInteger.TWO.pow(64)));

    assertThat(failureOf(() -> message.integer("id")))
        .hasMessageContaining("key 'id' is an integer out of range");
  }

  /** Verifies that a tuple reads as a list, since Python code treats them alike. */
  @Test
  void tupleReadsAsList() {
    WireMap message = WireMap.of(Map.of("pair", Tuple.of(1L, 2L)));

    assertThat(message.list("pair")).containsExactly(1L, 2L);
  }

  /** Verifies that a payload which is not a dict is a 400 saying what it is. */
  @Test
  void payloadThatIsNotADictIsBadRequest() {
    Object decoded = Bpickle.decode(PythonBytes.of("li1;;"));

    assertThat(failureOf(() -> WireMap.of(decoded)))
        .hasMessageContaining("the payload must be a dict, got list");
  }
}
