package dev.outpost.agent.handlers;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A running script's output on its way to the server while it runs: bytes decoded as UTF-8 as they
 * come (a character cut between two reads waits for its rest; malformed bytes become U+FFFD, as in
 * the result), taken in chunks numbered by their offset in Unicode code points. Filled by the
 * thread reading the output and taken from by another.
 */
final class LiveOutput {

  /** The most characters one chunk carries. */
  static final int MAX_CHUNK = 64 * 1024;

  /** A chunk: its text and where it starts in the whole output. */
  record Chunk(long offset, String text) {}

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final StringBuilder pending = new StringBuilder();
  private byte[] undecoded = new byte[0];
  private long offset;

  /** Adds bytes the script printed. */
  synchronized void append(byte[] bytes, int length) {
    byte[] all = Arrays.copyOf(undecoded, undecoded.length + length);
    System.arraycopy(bytes, 0, all, undecoded.length, length);
    decode(all, false);
  }

  /** The output ended: bytes of a character never completed become U+FFFD. */
  synchronized void end() {
    decode(undecoded, true);
    CharBuffer rest = CharBuffer.allocate(8);
    decoder.flush(rest);
    pending.append(rest.flip());
  }

  /** The next chunk of what was printed and not yet taken, if anything was. */
  synchronized Optional<Chunk> take() {
    if (pending.isEmpty()) {
      return Optional.empty();
    }
    int cut = Math.min(pending.length(), MAX_CHUNK);
    if (cut < pending.length() && Character.isHighSurrogate(pending.charAt(cut - 1))) {
      cut--;
    }
    String text = pending.substring(0, cut);
    pending.delete(0, cut);
    Chunk chunk = new Chunk(offset, text);
    offset += text.codePointCount(0, text.length());
    return Optional.of(chunk);
  }

  private void decode(byte[] bytes, boolean endOfInput) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    decoder.decode(in, out, endOfInput);
    pending.append(out.flip());
    undecoded = Arrays.copyOfRange(bytes, in.position(), bytes.length);
  }
}
