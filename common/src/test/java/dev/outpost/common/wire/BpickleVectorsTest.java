package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The vectors of PROTOCOL.md section 2, byte for byte, in both directions. */
class BpickleVectorsTest {

  private static final String REGISTRATION_ANSWER =
      "du8:messages"
          + "ldu2:ids25:fake-secure-id-0123456789u11:insecure-idi4242;u4:typeu6:set-id;;"
          + "u22:next-expected-sequencei1;u10:server-apis3:3.3u11:server-uuids18:fake-server-uuid-1;";

  private static final String FIRST_EXCHANGE =
      "du14:accepted-types"
          + "s16:\\xd4\\x1d\\x8c\\xd9\\x8f\\x00\\xb2\\x04\\xe9\\x80\\t\\x98\\xec\\xf8B~"
          + "u21:client-accepted-typeslu14:accepted-typesu16:custom-graph-addu19:custom-graph-remove"
          + "u14:execute-scriptu12:registrationu13:resynchronizeu6:set-idu13:set-intervals"
          + "u14:signal-processu10:unknown-id;u10:client-apis3:3.8u8:messagesl;"
          + "u22:next-expected-sequencei0;u8:sequencei0;u10:server-apis3:3.2u14:total-messagesi0;;";

  static Stream<Arguments> tableRows() {
    return Stream.of(
        Arguments.of(true, "b1"),
        Arguments.of(false, "b0"),
        Arguments.of(-3L, "i-3;"),
        Arguments.of(
            new BigInteger("123456789012345678901234567890"), "i123456789012345678901234567890;"),
        Arguments.of(1.5, "f1.5;"),
        Arguments.of(1e100, "f1e+100;"),
        Arguments.of(Bytes.of(new byte[] {0x00, (byte) 0xff}), "s2:\\x00\\xff"),
        Arguments.of("é", "u2:\\xc3\\xa9"),
        Arguments.of(List.of(1L, 2L), "li1;i2;;"),
        Arguments.of(Tuple.of(1L, 2L), "ti1;i2;;"),
        Arguments.of(Map.of("a", 1L), "du1:ai1;;"),
        Arguments.of(null, "n"));
  }

  /** Verifies that each row of the encoding table encodes to its example and decodes back. */
  @ParameterizedTest(name = "{1}")
  @MethodSource("tableRows")
  void encodesAndDecodesEachTableRow(Object value, String wire) {
    byte[] bytes = PythonBytes.of(wire);

    assertThat(Bpickle.encode(value)).isEqualTo(bytes);
    assertThat(Bpickle.decode(bytes)).isEqualTo(value);
  }

  /** Verifies that the ping answer is the vector the real client expects. */
  @Test
  void pingAnswerMatchesTheWire() {
    byte[] wire = PythonBytes.of("du8:messagesb1;");

    assertThat(Bpickle.encode(Map.of("messages", true))).isEqualTo(wire);
    assertThat(Bpickle.decode(wire)).isEqualTo(Map.of("messages", true));
  }

  /** Verifies that a registration answer, with bytes ids and text keys, matches the wire. */
  @Test
  void registrationAnswerMatchesTheWire() {
    Map<String, Object> setId =
        Map.of("type", "set-id", "id", Bytes.of("fake-secure-id-0123456789"), "insecure-id", 4242L);
    Map<String, Object> answer =
        Map.of(
            "server-uuid", Bytes.of("fake-server-uuid-1"),
            "server-api", Bytes.of("3.3"),
            "next-expected-sequence", 1L,
            "messages", List.of(setId));

    assertThat(Bpickle.encode(answer)).isEqualTo(PythonBytes.of(REGISTRATION_ANSWER));
    assertThat(Bpickle.decode(PythonBytes.of(REGISTRATION_ANSWER))).isEqualTo(answer);
  }

  /** Verifies that a fresh client's first exchange, raw md5 bytes included, matches the wire. */
  @Test
  void firstExchangeMatchesTheWire() {
    // md5 of the empty string: the client has no accepted types yet
    Bytes emptyTypesHash = Bytes.of(HexFormat.of().parseHex("d41d8cd98f00b204e9800998ecf8427e"));
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("total-messages", 0L);
    payload.put("server-api", Bytes.of("3.2"));
    payload.put("sequence", 0L);
    payload.put("next-expected-sequence", 0L);
    payload.put("messages", List.of());
    payload.put("client-api", Bytes.of("3.8"));
    payload.put(
        "client-accepted-types",
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
            "unknown-id"));
    payload.put("accepted-types", emptyTypesHash);

    assertThat(Bpickle.encode(payload)).isEqualTo(PythonBytes.of(FIRST_EXCHANGE));
    assertThat(Bpickle.decode(PythonBytes.of(FIRST_EXCHANGE))).isEqualTo(payload);
  }

  /** Verifies that a decoded dict keeps the order of the wire, which is the sorted order. */
  @Test
  void decodedDictKeepsWireOrder() {
    @SuppressWarnings("unchecked")
    Map<Object, Object> decoded =
        (Map<Object, Object>) Bpickle.decode(PythonBytes.of(FIRST_EXCHANGE));

    assertThat(decoded.keySet())
        .containsExactly(
            "accepted-types",
            "client-accepted-types",
            "client-api",
            "messages",
            "next-expected-sequence",
            "sequence",
            "server-api",
            "total-messages");
  }
}
