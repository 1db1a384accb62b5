package dev.outpost.common.wire;

import java.io.ByteArrayOutputStream;

/** Builds bytes from the notation PROTOCOL.md uses, so a vector reads as it does there. */
final class PythonBytes {

  private PythonBytes() {}

  /**
   * The bytes of a literal in which {@code \xNN} is one raw byte, {@code \t} a tab and every other
   * character one ASCII byte, like the inside of Python's {@code b'...'}.
   */
  static byte[] of(String literal) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (c > 0x7e) {
        throw new IllegalArgumentException("write non-ASCII as \\xNN: " + literal);
      }
      if (c != '\\') {
        out.write(c);
      } else if (literal.charAt(i + 1) == 'x') {
        out.write(Integer.parseInt(literal.substring(i + 2, i + 4), 16));
        i += 3;
      } else if (literal.charAt(i + 1) == 't') {
        out.write('\t');
        i += 1;
      } else {
        throw new IllegalArgumentException("unknown escape at " + i + ": " + literal);
      }
    }
    return out.toByteArray();
  }
}
