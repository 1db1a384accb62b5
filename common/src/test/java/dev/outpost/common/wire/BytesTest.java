package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value types of the model: bytes and tuples. */
class BytesTest {

  /** Verifies that bytes compare by content, so they work as map keys and in assertions. */
  @Test
  void bytesAreEqualByContent() {
    Bytes one = Bytes.of(new byte[] {1, 2, 3});
    Bytes same = Bytes.of(new byte[] {1, 2, 3});

    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(one).isNotEqualTo(Bytes.of(new byte[] {1, 2}));
    assertThat(Bytes.of("")).isSameAs(Bytes.empty());
  }

  /** Verifies that neither the caller's array nor the returned one can change a value. */
  @Test
  void bytesAreImmutable() {
    byte[] source = {1, 2};
    Bytes bytes = Bytes.of(source);

    source[0] = 9;
    bytes.toArray()[1] = 9;

    assertThat(bytes.toArray()).containsExactly(1, 2);
  }

  /** Verifies that text goes in and out as UTF-8, and that bytes which are not UTF-8 do not. */
  @Test
  void convertsToAndFromUtf8Strictly() {
    assertThat(Bytes.of("é").toArray()).containsExactly(0xc3, 0xa9);
    assertThat(Bytes.of("3.3").asUtf8()).isEqualTo("3.3");
    assertThatThrownBy(() -> Bytes.of(new byte[] {(byte) 0xff}).asUtf8())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  /** Verifies that bytes print in Python's notation, which is how the protocol documents them. */
  @Test
  void printsInPythonNotation() {
    assertThat(Bytes.of(new byte[] {'a', 0, (byte) 0xd4, '\'', '\\', '\t'}))
        .hasToString("b'a\\x00\\xd4\\'\\\\\\t'");
  }

  /** Verifies that bytes order as unsigned values, as Python sorts them. */
  @Test
  void ordersAsUnsignedBytes() {
    List<Bytes> sorted =
        Arrays.asList(
            Bytes.of(new byte[] {(byte) 0x80}), Bytes.of("b"), Bytes.of("ab"), Bytes.of("a"));
    sorted.sort(null);

    assertThat(sorted)
        .containsExactly(
            Bytes.of("a"), Bytes.of("ab"), Bytes.of("b"), Bytes.of(new byte[] {(byte) 0x80}));
  }

  /** Verifies that a tuple holds none, is unmodifiable and is not a list of the same items. */
  @Test
  void tupleIsAnImmutableValueApartFromLists() {
    Tuple tuple = Tuple.of(1L, null, "a");

    assertThat(tuple).isEqualTo(Tuple.of(1L, null, "a")).isNotEqualTo(List.of(1L, "a"));
    assertThat(tuple.size()).isEqualTo(3);
    assertThat(tuple.get(1)).isNull();
    assertThatThrownBy(() -> tuple.items().add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
