package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
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
        Arbitraries.strings()
            .withChars('a', '\0', 'é', '\ud83d', '\ude00', '\udc00')
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

  /**
   * Verifies that every text of a message is made storable, in nested maps, lists and tuples and in
   * keys, while numbers and bytes are left as they are, and bpickle can encode it.
   */
  @Property
  void everyTextOfAMessageIsMadeStorable(@ForAll("texts") String text) {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put(text, List.of(text, 7L, Tuple.of(text, Bytes.of(new byte[] {0, 1}))));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "operation-result");
    message.put("operation-id", 7L);
    message.put("result-text", text);
    message.put("details", nested);
    message.put("none", null);

    Map<String, Object> storable = StorableText.message(message);

    String clean = StorableText.of(text);
    assertThat(storable)
        .containsEntry("result-text", clean)
        .containsEntry("operation-id", 7L)
        .containsEntry("none", null);
    assertThat(storable.get("details"))
        .isEqualTo(Map.of(clean, List.of(clean, 7L, Tuple.of(clean, Bytes.of(new byte[] {0, 1})))));
    assertThat(Bpickle.decode(Bpickle.encode(storable))).isNotNull();
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
    Object value =
        StorableText.json(
            Map.of(
                "k\0", List.of("x\0", Bytes.of(new byte[] {'y', 0, (byte) 0xff}), 1L, Double.NaN)));

    assertThat(value).isEqualTo(Map.of("k\uFFFD", List.of("x\uFFFD", "y\uFFFD\uFFFD", 1L, "NaN")));
  }
}
