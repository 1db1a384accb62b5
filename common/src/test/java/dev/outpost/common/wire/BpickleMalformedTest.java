package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bodies that are not bpickle: each is a 400 that names the problem and the byte. */
class BpickleMalformedTest {

  private static MalformedPayloadException failureOf(byte[] body) {
    return catchThrowableOfType(MalformedPayloadException.class, () -> Bpickle.decode(body));
  }

  static Stream<Arguments> malformedBodies() {
    return Stream.of(
        Arguments.of("", "the payload is empty", 0),
        Arguments.of("s5:abc", "bytes length prefix 5 exceeds the 3 bytes remaining", 1),
        Arguments.of("u3:ab", "text length prefix 3 exceeds the 2 bytes remaining", 1),
        Arguments.of("s99999999999:", "length prefix 99999999999 exceeds the 0 bytes remaining", 1),
        Arguments.of("s999999999999999999999:", "bytes length prefix has more than 18 digits", 1),
        Arguments.of("s-1:", "bytes length prefix must be decimal digits and a ':'", 1),
        Arguments.of("u:", "text length prefix must be decimal digits and a ':'", 1),
        Arguments.of("s3", "bytes length prefix must be decimal digits and a ':'", 2),
        Arguments.of("s3;abc", "bytes length prefix must be decimal digits and a ':'", 2),
        Arguments.of("i12", "integer is cut short: no ';' ends it", 0),
        Arguments.of("i;", "integer must be an optional sign and decimal digits", 1),
        Arguments.of("i1.5;", "integer must be an optional sign and decimal digits", 1),
        Arguments.of("i" + "9".repeat(4301) + ";", "integer has more than 4300 digits", 1),
        Arguments.of("i" + "9".repeat(5000) + ";", "integer is longer than 4301 characters", 0),
        Arguments.of("f1.5", "float is cut short: no ';' ends it", 0),
        Arguments.of("f1.5d;", "float is not a Python float literal", 1),
        Arguments.of("b", "bool is cut short", 0),
        Arguments.of("b2", "bool must be '0' or '1', not '2' (0x32)", 1),
        Arguments.of("li1;", "list is cut short: no ';' closes it", 0),
        Arguments.of("ti1;", "tuple is cut short: no ';' closes it", 0),
        Arguments.of("du1:a", "a value is missing where the payload ends", 5),
        Arguments.of("du1:ai1;", "dict is cut short: no ';' closes it", 0),
        Arguments.of("dli1;;i1;;", "a dict key must be text, bytes or an integer, not list", 1),
        Arguments.of("du1:ai1;u1:ai2;;", "dict has the key 'a' twice", 8),
        Arguments.of("x", "unknown type byte 'x' (0x78)", 0),
        Arguments.of("l\u0001;", "unknown type byte 0x01", 1),
        Arguments.of("n;", "1 trailing bytes after the top value", 1),
        Arguments.of("b1garbage", "7 trailing bytes after the top value", 2),
        Arguments.of(";", "unknown type byte ';' (0x3b)", 0));
  }

  /** Verifies that each malformed body is a 400 naming its problem at the offending byte. */
  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformedBodies")
  void malformedBodyIsBadRequestNamingTheProblem(String body, String problem, long offset) {
    MalformedPayloadException failure = failureOf(body.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.getMessage())
        .startsWith("malformed bpickle payload at byte " + offset + ": ")
        .contains(problem);
    assertThat(failure.offset()).isEqualTo(offset);
  }

  /** Verifies that text which is not UTF-8 is refused, as Python's decode would. */
  @Test
  void textThatIsNotUtf8IsBadRequest() {
    assertThat(failureOf(PythonBytes.of("u2:\\xc3\\x28")).getMessage())
        .contains("text is not valid UTF-8");
    // an encoded surrogate: valid-looking UTF-8 that Python refuses
    assertThat(failureOf(PythonBytes.of("u3:\\xed\\xa0\\x80")).getMessage())
        .contains("text is not valid UTF-8");
  }

  /** Verifies that ten thousand nested lists are refused at the limit, without a stack overflow. */
  @Test
  void deepNestingIsBadRequest() {
    String deep = "l".repeat(10_000) + ";".repeat(10_000);

    MalformedPayloadException failure = failureOf(deep.getBytes(StandardCharsets.US_ASCII));

    assertThat(failure.getMessage()).contains("nesting is deeper than 64 levels");
    assertThat(failure.offset()).isEqualTo(64);
  }

  /** Verifies that nesting exactly at the limit is still read. */
  @Test
  void nestingAtTheLimitIsRead() {
    String deep = "d".repeat(1) + "u1:k" + "l".repeat(63) + ";".repeat(64);

    assertThat(Bpickle.decode(deep.getBytes(StandardCharsets.US_ASCII))).isNotNull();
  }

  /** Verifies that the integer digits CPython accepts by default are read, and no more. */
  @Test
  void integerDigitsAreCappedAtCpythonsLimit() {
    String longest = "i-" + "9".repeat(BpickleReader.MAX_INTEGER_DIGITS) + ";";
    String tooLong = "i" + "9".repeat(BpickleReader.MAX_INTEGER_DIGITS + 1) + ";";

    assertThat(Bpickle.decode(longest.getBytes(StandardCharsets.US_ASCII))).isNotNull();
    assertThat(failureOf(tooLong.getBytes(StandardCharsets.US_ASCII)).getMessage())
        .contains("integer has more than 4300 digits");
  }
}
