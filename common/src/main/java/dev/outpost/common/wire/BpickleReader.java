package dev.outpost.common.wire;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes one bpickle body. Every failure is a {@link MalformedPayloadException} naming the byte:
 * the body comes from an unauthenticated peer, so nothing it says is trusted, lengths included.
 */
final class BpickleReader {

  private static final String ENCODING = "bpickle";

  /** CPython's default limit on int() digits (3.11+), so we refuse what the client would. */
  static final int MAX_INTEGER_DIGITS = 4300;

  /** Far longer than any repr (at most 24 characters), short enough to scan cheaply. */
  static final int MAX_FLOAT_LENGTH = 512;

  /** Enough to show a hostile length in the error, and still parse as a long. */
  private static final int MAX_LENGTH_DIGITS = 18;

  private final byte[] body;
  private int pos;
  private int values;

  private BpickleReader(byte[] body) {
    this.body = body;
  }

  /** The single value the body holds. */
  static Object read(byte[] body) {
    BpickleReader reader = new BpickleReader(body);
    if (body.length == 0) {
      throw reader.malformed(0, "the payload is empty");
    }
    Object value = reader.value(1);
    if (reader.pos != body.length) {
      throw reader.malformed(
          reader.pos,
          String.format("%d trailing bytes after the top value", body.length - reader.pos));
    }
    return value;
  }

  private Object value(int depth) {
    int start = pos;
    if (start == body.length) {
      throw malformed(start, "a value is missing where the payload ends");
    }
    if (++values > Values.MAX_VALUES) {
      throw malformed(start, "the payload holds more than " + Values.MAX_VALUES + " values");
    }
    byte type = body[pos++];
    switch (type) {
      case 'n':
        return null;
      case 'b':
        return bool(start);
      case 'i':
        return integer(start);
      case 'f':
        return floating(start);
      case 's':
        return bytes(start);
      case 'u':
        return text(start);
      case 'l':
        return Collections.unmodifiableList(items(start, depth, "list"));
      case 't':
        return new Tuple(items(start, depth, "tuple"));
      case 'd':
        return dict(start, depth);
      default:
        throw malformed(start, "unknown type byte " + describe(type));
    }
  }

  private Boolean bool(int start) {
    if (pos == body.length) {
      throw malformed(start, "bool is cut short: 'b' must be followed by '0' or '1'");
    }
    byte flag = body[pos++];
    if (flag != '0' && flag != '1') {
      throw malformed(start + 1, "bool must be '0' or '1', not " + describe(flag));
    }
    return flag == '1';
  }

  private Object integer(int start) {
    String digits = terminated(start, "integer", MAX_INTEGER_DIGITS + 1);
    boolean signed = digits.startsWith("-") || digits.startsWith("+");
    String unsigned = signed ? digits.substring(1) : digits;
    if (unsigned.isEmpty() || !unsigned.chars().allMatch(BpickleReader::isAsciiDigit)) {
      throw malformed(start + 1, "integer must be an optional sign and decimal digits");
    }
    if (unsigned.length() > MAX_INTEGER_DIGITS) {
      throw malformed(start + 1, "integer has more than " + MAX_INTEGER_DIGITS + " digits");
    }
    return Values.integer(new BigInteger(digits));
  }

  private Double floating(int start) {
    String literal = terminated(start, "float", MAX_FLOAT_LENGTH);
    return PythonFloat.parse(literal)
        .orElseThrow(() -> malformed(start + 1, "float is not a Python float literal"));
  }

  private String text(int start) {
    int length = lengthPrefix(start, "text");
    int from = pos;
    pos += length;
    return Utf8.decode(body, from, length)
        .orElseThrow(() -> malformed(from, "text is not valid UTF-8"));
  }

  private Bytes bytes(int start) {
    int length = lengthPrefix(start, "bytes");
    byte[] bytes = new byte[length];
    System.arraycopy(body, pos, bytes, 0, length);
    pos += length;
    return Bytes.wrap(bytes);
  }

  /** Reads {@code <digits>:} and checks the length against what is left, before any allocation. */
  private int lengthPrefix(int start, String what) {
    int end = pos;
    while (end < body.length && isAsciiDigit(body[end]) && end - pos <= MAX_LENGTH_DIGITS) {
      end++;
    }
    if (end - pos > MAX_LENGTH_DIGITS) {
      throw malformed(pos, what + " length prefix has more than " + MAX_LENGTH_DIGITS + " digits");
    } else if (end == pos || end == body.length || body[end] != ':') {
      throw malformed(end, what + " length prefix must be decimal digits and a ':'");
    }
    long length = Long.parseLong(new String(body, pos, end - pos, StandardCharsets.US_ASCII));
    long remaining = body.length - (end + 1L);
    if (length > remaining) {
      throw malformed(
          pos,
          String.format(
              "%s length prefix %d exceeds the %d bytes remaining", what, length, remaining));
    }
    pos = end + 1;
    return (int) length;
  }

  private List<Object> items(int start, int depth, String what) {
    checkDepth(start, depth);
    List<Object> items = new ArrayList<>();
    while (!atEnd(start, what)) {
      items.add(value(depth + 1));
    }
    return items;
  }

  private Map<Object, Object> dict(int start, int depth) {
    checkDepth(start, depth);
    Map<Object, Object> dict = new LinkedHashMap<>();
    while (!atEnd(start, "dict")) {
      int keyStart = pos;
      Object key = value(depth + 1);
      if (!Values.isKey(key)) {
        throw malformed(
            keyStart, "a dict key must be text, bytes or an integer, not " + Values.typeName(key));
      }
      Object value = value(depth + 1);
      // Python keeps the last of two equal keys; a payload meaning two things is refused instead
      if (dict.containsKey(key)) {
        throw malformed(keyStart, "dict has the key " + Values.preview(key) + " twice");
      }
      dict.put(key, value);
    }
    return Collections.unmodifiableMap(dict);
  }

  /** Consumes the ';' that closes a container, or says the container goes on. */
  private boolean atEnd(int start, String what) {
    if (pos == body.length) {
      throw malformed(start, what + " is cut short: no ';' closes it");
    }
    if (body[pos] == ';') {
      pos++;
      return true;
    }
    return false;
  }

  private void checkDepth(int start, int depth) {
    if (depth > Values.MAX_DEPTH) {
      throw malformed(start, "nesting is deeper than " + Values.MAX_DEPTH + " levels");
    }
  }

  /** The ASCII text up to the next ';' (consumed), looking no further than a limit. */
  private String terminated(int start, String what, int limit) {
    int semicolon = find((byte) ';', pos, limit + 1);
    if (semicolon < 0) {
      throw malformed(
          start,
          (long) pos + limit + 1 >= body.length
              ? what + " is cut short: no ';' ends it"
              : what + " is longer than " + limit + " characters");
    }
    String text = new String(body, pos, semicolon - pos, StandardCharsets.US_ASCII);
    pos = semicolon + 1;
    return text;
  }

  /** The index of a byte within the next {@code window} bytes from {@code from}, or -1. */
  private int find(byte wanted, int from, int window) {
    int end = (int) Math.min(body.length, (long) from + window);
    for (int i = from; i < end; i++) {
      if (body[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isAsciiDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static String describe(byte b) {
    int unsigned = b & 0xff;
    return unsigned >= 0x20 && unsigned < 0x7f
        ? String.format("'%c' (0x%02x)", (char) unsigned, unsigned)
        : String.format("0x%02x", unsigned);
  }

  private MalformedPayloadException malformed(int offset, String problem) {
    return MalformedPayloadException.at(ENCODING, offset, problem);
  }
}
