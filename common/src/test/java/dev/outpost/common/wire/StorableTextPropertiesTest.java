package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link StorableText} makes any text storable and leaves storable text alone. */
class StorableTextPropertiesTest {

  /** Text of any UTF-16 units, NUL and unpaired surrogates included. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars('a', '\0', 'é', '\ud83d', '\ude00', '\udc00')
            .ofMaxLength(12));
  }

  /** Verifies that any text comes out with no NUL and a UTF-8 form, a unit for each unit. */
  @Property
  void anyTextComesOutStorable(@ForAll("texts") String text) {
    String storable = StorableText.of(text);

    assertThat(storable).doesNotContain("\0");
    assertThat(Utf8.isWellFormed(storable)).isTrue();
    assertThat(StorableText.isStorable(storable)).isTrue();
    assertThat(storable).hasSameSizeAs(text);
  }

  /** Verifies that storable text is returned as it is, the same string. */
  @Property
  void storableTextIsUnchanged(@ForAll("texts") String text) {
    String storable = StorableText.of(text);

    assertThat(StorableText.of(storable)).isSameAs(storable);
  }

  /** Verifies that only the bad units are replaced, one replacement each. */
  @Example
  void replacesEachNulAndUnpairedSurrogate() {
    assertThat(StorableText.of("a\0b\ud800c\ud83d\ude00\udc00"))
        .isEqualTo("a\uFFFDb\uFFFDc\ud83d\ude00\uFFFD");
  }

  /** Verifies that a wire value's texts, keys and bytes all come out storable. */
  @Example
  void makesEveryTextOfAValueStorable() {
    Object value = StorableText.value(Map.of(
        "k\0", List.of("x\0", Bytes.of(new byte[] {'y', 0, (byte) 0xff}), 1L, Double.NaN)));

    assertThat(value).isEqualTo(Map.of(
        "k\uFFFD", List.of("x\uFFFD", "y\uFFFD\uFFFD", 1L, "NaN")));
  }
}
