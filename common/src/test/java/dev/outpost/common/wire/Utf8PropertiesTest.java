package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Utf8} takes fast paths (plain ASCII, {@code getBytes} for well-formed text); it must
 * answer exactly as the JDK's strict coders, which refuse what cannot be coded.
 */
class Utf8PropertiesTest {

  /** Text of any UTF-16 units, unpaired surrogates included, and mostly-ASCII text. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(24),
        Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMaxLength(24),
        Arbitraries.strings().withChars('a', 'é', '\ud83d', '\ude00', '\udc00').ofMaxLength(8));
  }

  /** Bytes of any value, and plain ASCII bytes. */
  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(24),
        Arbitraries.bytes().between((byte) 0, (byte) 0x7f).array(byte[].class).ofMaxSize(24));
  }

  /** Verifies that encoding gives the strict encoder's bytes, or refuses what it refuses. */
  @Property
  void encodesAsTheStrictEncoder(@ForAll("texts") String text) {
    Optional<byte[]> strict = strictEncode(text);
    if (strict.isPresent()) {
      assertThat(Utf8.encode(text)).isEqualTo(strict.get());
    } else {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Utf8.encode(text))
          .withMessageContaining("unpaired surrogate");
    }
  }

  /** Verifies that decoding, of a whole array or of a slice, gives the strict decoder's text. */
  @Property
  void decodesAsTheStrictDecoder(@ForAll("bytes") byte[] bytes) {
    assertThat(Utf8.decode(bytes, 0, bytes.length)).isEqualTo(strictDecode(bytes, 0, bytes.length));
    if (bytes.length > 2) {
      assertThat(Utf8.decode(bytes, 1, bytes.length - 2))
          .isEqualTo(strictDecode(bytes, 1, bytes.length - 2));
    }
  }

  private static Optional<byte[]> strictEncode(String text) {
    try {
      ByteBuffer buffer =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return Optional.of(bytes);
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> strictDecode(byte[] bytes, int offset, int length) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, length))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
