package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The choices the encoder makes where Python's bpickle leaves room. */
class BpickleEncodingTest {

  private static String encoded(Object value) {
    return new String(Bpickle.encode(value), StandardCharsets.UTF_8);
  }

  /** Verifies that text keys sort by code point, not by Java's UTF-16 units. */
  @Test
  void sortsTextKeysByCodePoint() {
    Map<String, Object> dict = new HashMap<>();
    dict.put("\uffff", 1L);
    dict.put("\ud83d\ude00", 2L);
    dict.put("Z", 3L);
    dict.put("a", 4L);

    assertThat(encoded(dict)).isEqualTo("du1:Zi3;u1:ai4;u3:\uffffi1;u4:\ud83d\ude00i2;;");
  }

  /** Verifies that mixed keys sort integers first, then text, then bytes by unsigned value. */
  @Test
  void sortsMixedKeysByKindThenValue() {
    Map<Object, Object> dict = new HashMap<>();
    dict.put(Bytes.of(new byte[] {(byte) 0x80}), 1L);
    dict.put(Bytes.of("b"), 2L);
    dict.put("b", 3L);
    dict.put(10L, 4L);
    dict.put(-2L, 5L);

    assertThat(Bpickle.encode(dict))
        .isEqualTo(PythonBytes.of("di-2;i5;i10;i4;u1:bi3;s1:bi2;s1:\\x80i1;;"));
  }

  /** Verifies that Java's smaller number types encode as bpickle ints and floats. */
  @Test
  void acceptsSmallerJavaNumberTypes() {
    assertThat(encoded(List.of(7, (short) -1, (byte) 2, 0.5f))).isEqualTo("li7;i-1;i2;f0.5;;");
  }

  /** Verifies that an integer key given twice in two Java types is refused, not written twice. */
  @Test
  void refusesKeysEqualOnceNormalised() {
    Map<Object, Object> dict = new HashMap<>();
    dict.put(1, "a");
    dict.put(1L, "b");

    assertThatThrownBy(() -> Bpickle.encode(dict))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
  }

  /** Verifies that a BigInteger that fits a long encodes and decodes as that long. */
  @Test
  void smallBigIntegerDecodesAsLong() {
    byte[] wire = Bpickle.encode(BigInteger.valueOf(42));

    assertThat(wire).isEqualTo(PythonBytes.of("i42;"));
    assertThat(Bpickle.decode(wire)).isEqualTo(42L);
  }

  /** Verifies that floats without a decimal form are written as Python writes them. */
  @Test
  void writesSpecialFloatsAsPythonDoes() {
    List<Double> specials =
        List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0);

    assertThat(encoded(specials)).isEqualTo("lfnan;finf;f-inf;f-0.0;;");
  }

  /** Verifies that values outside the model are a caller's mistake, not a payload. */
  @Test
  void refusesValuesOutsideTheModel() {
    assertThatThrownBy(() -> Bpickle.encode(new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot encode");
    assertThatThrownBy(() -> Bpickle.encode(Map.of(true, 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dict key");
  }

  /** Verifies that text with an unpaired surrogate is refused rather than silently replaced. */
  @Test
  void refusesTextWithoutUtf8Form() {
    assertThatThrownBy(() -> Bpickle.encode("a\ud800b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surrogate");
  }

  /** Verifies that the encoder refuses nesting its own decoder would refuse. */
  @Test
  void refusesNestingTheDecoderRefuses() {
    Object deepest = List.of();
    for (int level = 1; level < Values.MAX_DEPTH; level++) {
      deepest = List.of(deepest);
    }
    List<Object> tooDeep = new ArrayList<>();
    tooDeep.add(deepest);

    assertThat(Bpickle.decode(Bpickle.encode(deepest))).isEqualTo(deepest);
    assertThatThrownBy(() -> Bpickle.encode(tooDeep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64");
  }
}
