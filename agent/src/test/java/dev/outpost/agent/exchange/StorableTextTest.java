package dev.outpost.agent.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Outgoing text is made storable: no NUL, no unpaired surrogate, clean text left alone. */
class StorableTextTest {

  /** Text of any UTF-16 units, and text made mostly of the characters that cannot be stored. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars('a', '\0', 'é', '\ud83d', '\ude00', '\udc00', '\n')
            .ofMaxLength(16));
  }

  /** Text with neither NUL nor an unpaired surrogate (pairs, emoji, any other control). */
  @Provide
  Arbitrary<String> cleanTexts() {
    return texts().filter(text -> text.indexOf('\0') < 0 && wellFormed(text));
  }

  /**
   * Verifies that any text comes out without NUL and without an unpaired surrogate, as long as
   * it went in (one replacement for each character replaced), and bpickle can encode it.
   */
  @Property
  void anyTextComesOutStorable(@ForAll("texts") String text) {
    String storable = StorableText.of(text);

    assertThat(storable).doesNotContain("\0").hasSameSizeAs(text);
    assertThat(wellFormed(storable)).isTrue();
    assertThat(Bpickle.decode(Bpickle.encode(storable))).isEqualTo(storable);
  }

  /** Verifies that text with nothing to replace comes out unchanged, as the same string. */
  @Property
  void cleanTextIsUnchanged(@ForAll("cleanTexts") String text) {
    assertThat(StorableText.of(text)).isSameAs(text);
  }

  /**
   * Verifies that every text of a message is made storable, in nested maps, lists and tuples and
   * in keys, while numbers and bytes are left as they are.
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
    assertThat(storable).containsEntry("result-text", clean).containsEntry("operation-id", 7L)
        .containsEntry("none", null);
    assertThat(storable.get("details")).isEqualTo(Map.of(clean,
        List.of(clean, 7L, Tuple.of(clean, Bytes.of(new byte[] {0, 1})))));
  }

  private static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
