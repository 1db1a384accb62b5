package dev.outpost.common.wire;

import java.util.Arrays;
import java.util.Objects;

/** An immutable byte string: bpickle's bytes value ({@code s}), distinct from text. */
public final class Bytes implements Comparable<Bytes> {

  private static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] bytes;

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of the given bytes. */
  public static Bytes of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
  }

  /** The UTF-8 encoding of a text, as Landscape sends {@code server-api} or a secure id. */
  public static Bytes of(String utf8) {
    Objects.requireNonNull(utf8, "utf8");
    return wrap(Utf8.encode(utf8));
  }

  /** The empty byte string. */
  public static Bytes empty() {
    return EMPTY;
  }

  /** Takes ownership of an array nobody else holds, saving the copy. */
  static Bytes wrap(byte[] owned) {
    return owned.length == 0 ? EMPTY : new Bytes(owned);
  }

  /** The array itself, for encoders in this package that promise not to change it. */
  byte[] array() {
    return bytes;
  }

  /** The number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** A copy of the bytes. */
  public byte[] toArray() {
    return bytes.clone();
  }

  /**
   * The bytes decoded as UTF-8.
   *
   * @throws IllegalArgumentException when they are not valid UTF-8
   */
  public String asUtf8() {
    return Utf8.decode(bytes, 0, bytes.length)
        .orElseThrow(() -> new IllegalArgumentException("bytes are not valid UTF-8: " + this));
  }

  /** Orders bytes as unsigned values, shorter first on a common prefix, as Python does. */
  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes && Arrays.equals(bytes, ((Bytes) other).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Python's notation, {@code b'ab\x00'}, so logs and test failures show what was on the wire. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(bytes.length + 3).append("b'");
    for (byte b : bytes) {
      int unsigned = b & 0xff;
      if (unsigned == '\\' || unsigned == '\'') {
        out.append('\\').append((char) unsigned);
      } else if (unsigned == '\t') {
        out.append("\\t");
      } else if (unsigned == '\n') {
        out.append("\\n");
      } else if (unsigned == '\r') {
        out.append("\\r");
      } else if (unsigned >= 0x20 && unsigned < 0x7f) {
        out.append((char) unsigned);
      } else {
        out.append(String.format("\\x%02x", unsigned));
      }
    }
    return out.append('\'').toString();
  }
}
