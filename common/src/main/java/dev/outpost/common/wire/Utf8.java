package dev.outpost.common.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Strict UTF-8: {@code new String(bytes, UTF_8)} and {@code getBytes(UTF_8)} silently replace what
 * they cannot code, while Python's codec (and so the peer) refuses it.
 */
final class Utf8 {

  private Utf8() {}

  /** Decodes, or nothing when the bytes are not valid UTF-8 (overlongs and surrogates included). */
  static Optional<String> decode(byte[] bytes, int offset, int length) {
    if (isAscii(bytes, offset, length)) { // what nearly every key and value is
      return Optional.of(new String(bytes, offset, length, StandardCharsets.US_ASCII));
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, length));
      return Optional.of(chars.toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static boolean isAscii(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether every surrogate in the text is paired, so that it has a UTF-8 form. */
  static boolean isWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The text with each unpaired surrogate replaced by U+FFFD; the same string when it has none. */
  static String wellFormed(String text) {
    if (isWellFormed(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? StorableText.REPLACEMENT : c);
      }
    }
    return out.toString();
  }

  /**
   * Encodes, refusing a string with an unpaired surrogate, which has no UTF-8 form ({@code
   * getBytes} would write '?' for it; every other string it codes exactly, and fast).
   */
  static byte[] encode(String text) {
    if (!isWellFormed(text)) {
      throw new IllegalArgumentException("text has an unpaired surrogate and no UTF-8 form");
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
