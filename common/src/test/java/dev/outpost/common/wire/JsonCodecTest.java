package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON encoding of the value model, for Outpost's own agent. */
class JsonCodecTest {

  private static String encoded(Object value) {
    return new String(JsonCodec.encode(value), StandardCharsets.UTF_8);
  }

  private static Object decoded(String json) {
    return JsonCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Verifies that the ping answer reads as it does in bpickle, with sorted keys. */
  @Test
  void encodesDictsWithSortedKeys() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("server-uuid", "u-1");
    payload.put("messages", true);

    assertThat(encoded(payload)).isEqualTo("{\"messages\":true,\"server-uuid\":\"u-1\"}");
  }

  /** Verifies that numbers decode to Long, BigInteger beyond a long, and Double. */
  @Test
  void decodesNumbersIntoTheModel() {
    assertThat(decoded("[1, -9223372036854775808, 9223372036854775808, 1.5, 1e2, -0.0]"))
        .isEqualTo(
            List.of(1L, Long.MIN_VALUE, new BigInteger("9223372036854775808"), 1.5, 100.0, -0.0));
  }

  /** Verifies that objects decode to maps in document order and null to none. */
  @Test
  void decodesObjectsInDocumentOrder() {
    Map<Object, Object> expected = new HashMap<>();
    expected.put("z", null);
    expected.put("a", List.of("x", false));

    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) decoded("{\"z\": null, \"a\": [\"x\", false]}");

    assertThat(map).isEqualTo(expected);
    assertThat(map.keySet()).containsExactly("z", "a");
  }

  /** Verifies that bytes are written as their UTF-8 text and tuples as arrays, losing the kind. */
  @Test
  void writesBytesAsTextAndTuplesAsArrays() {
    Map<Object, Object> payload =
        Map.of(
            "server-api",
            Bytes.of("3.3"),
            "pair",
            Tuple.of(1L, 2L),
            Bytes.of("raw"),
            7L,
            42L,
            "answer");

    String json = encoded(payload);

    assertThat(json)
        .isEqualTo("{\"42\":\"answer\",\"pair\":[1,2],\"server-api\":\"3.3\",\"raw\":7}");
    assertThat(decoded(json))
        .isEqualTo(Map.of("42", "answer", "pair", List.of(1L, 2L), "server-api", "3.3", "raw", 7L));
  }

  /** Verifies that bytes which are not UTF-8 are written with replacement characters. */
  @Test
  void writesInvalidUtf8BytesWithReplacementCharacters() {
    assertThat(encoded(Bytes.of(new byte[] {'a', (byte) 0xff}))).isEqualTo("\"a\ufffd\"");
  }

  /** Verifies that what JSON cannot say is the caller's mistake, not a payload. */
  @Test
  void refusesWhatJsonCannotCarry() {
    assertThatThrownBy(() -> JsonCodec.encode(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonCodec.encode(List.of(Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonCodec.encode(Map.of("a", 1L, Bytes.of("a"), 2L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> JsonCodec.encode("a\ud800"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> malformedBodies() {
    return Stream.of(
        Arguments.of("", "the payload is empty"),
        Arguments.of("   ", "the payload holds no value"),
        Arguments.of("{\"a\": }", "Unexpected character ('}'"),
        Arguments.of("{\"a\": 1", "Unexpected end-of-input"),
        Arguments.of("[1, 2", "Unexpected end-of-input"),
        Arguments.of("{} {}", "trailing data after the top value"),
        Arguments.of("{}x", "Unrecognized token 'x'"),
        Arguments.of("{\"a\": 1, \"a\": 2}", "Duplicate field 'a'"),
        Arguments.of("[1e400]", "number is beyond the range of a float"),
        Arguments.of("[NaN]", "Non-standard token 'NaN'"),
        Arguments.of("{'a': 1}", "Unexpected character ('''"),
        Arguments.of("{\"\\ud800\": 1, \"\\udc00\": 2}", "two keys read as '\ufffd'"),
        Arguments.of("[".repeat(10_000) + "]".repeat(10_000), "nesting is deeper than 64 levels"));
  }

  /** Verifies that each malformed body is a 400 naming the problem and where it is. */
  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformedBodies")
  void malformedBodyIsBadRequestNamingTheProblem(String body, String problem) {
    MalformedPayloadException failure =
        catchThrowableOfType(MalformedPayloadException.class, () -> decoded(body));

    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.getMessage())
        .startsWith("malformed JSON payload at byte ")
        .contains(problem);
  }

  /** Verifies that an escaped unpaired surrogate, in text or a key, is read as U+FFFD. */
  @Test
  void readsUnpairedSurrogatesAsTheReplacementCharacter() {
    assertThat(decoded("{\"k\\udc00\": [\"a\\ud800b\"]}"))
        .isEqualTo(java.util.Map.of("k\ufffd", java.util.List.of("a\ufffdb")));
  }

  /** Verifies that an escaped surrogate pair is one character, as JSON means it. */
  @Test
  void decodesEscapedSurrogatePairs() {
    assertThat(decoded("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
  }

  /** Verifies that a body the encoding detection takes for broken UTF-32 is a 400 as well. */
  @Test
  void brokenUtf32IsBadRequest() {
    byte[] body = {0, 0, 0, '[', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    assertThat(catchThrowableOfType(MalformedPayloadException.class, () -> JsonCodec.decode(body)))
        .hasMessageStartingWith("malformed JSON payload: Invalid UTF-32 character");
  }

  /** Verifies that a string which is not UTF-8 is a 400, not a silent replacement. */
  @Test
  void invalidUtf8IsBadRequest() {
    byte[] body = {'"', 'a', (byte) 0xff, '"'};

    assertThat(catchThrowableOfType(MalformedPayloadException.class, () -> JsonCodec.decode(body)))
        .hasMessageContaining("Invalid UTF-8");
  }
}
