package dev.outpost.common.wire;

import java.math.BigInteger;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The rules of the value model that both codecs and the typed reader share. */
final class Values {

  /** Deeper than any real payload (Landscape's are 4 or 5 levels) yet far from the stack's end. */
  static final int MAX_DEPTH = 64;

  /**
   * The most values one payload may hold. A body of a few bytes a value decodes into objects of
   * tens of bytes each: this bounds what one payload costs in memory (Landscape's largest, a
   * package report, holds tens of thousands).
   */
  static final int MAX_VALUES = 1_000_000;

  private static final int PREVIEW_LENGTH = 60;

  /**
   * Dict keys sort as integers, then text by code point, then bytes by unsigned value: Python sorts
   * each kind the same way, and refuses to mix them, so the mixed order is ours.
   */
  static final Comparator<Object> KEY_ORDER =
      Comparator.comparingInt(Values::keyRank).thenComparing(Values::compareSameRank);

  private Values() {}

  /** The protocol's name for the type of a value, as error messages show it. */
  static String typeName(Object value) {
    if (value == null) {
      return "none";
    } else if (value instanceof Boolean) {
      return "bool";
    } else if (isInteger(value)) {
      return "integer";
    } else if (value instanceof Double || value instanceof Float) {
      return "float";
    } else if (value instanceof String) {
      return "text";
    } else if (value instanceof Bytes) {
      return "bytes";
    } else if (value instanceof List) {
      return "list";
    } else if (value instanceof Tuple) {
      return "tuple";
    } else if (value instanceof Map) {
      return "dict";
    }
    return "unsupported " + value.getClass().getName();
  }

  /** A key or short value for an error message: quoted, and cut so a hostile one stays short. */
  static String preview(Object value) {
    String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
    return text.length() <= PREVIEW_LENGTH ? text : text.substring(0, PREVIEW_LENGTH) + "...";
  }

  /** Whether a value is one of the Java integer types the encoders accept. */
  static boolean isInteger(Object value) {
    return value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger;
  }

  /** Long when it fits, BigInteger otherwise, so that equal integers are equal objects. */
  static Object integer(BigInteger value) {
    return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
  }

  /** The canonical form of an integer of any accepted Java type. */
  static Object normalizeInteger(Object value) {
    if (value instanceof BigInteger) {
      return integer((BigInteger) value);
    }
    return ((Number) value).longValue();
  }

  /**
   * The entries of a map to encode, keys normalised and in {@link #KEY_ORDER}.
   *
   * @throws IllegalArgumentException for a key that is not text, bytes or an integer, or two keys
   *     that are the same once normalised
   */
  static List<Map.Entry<Object, Object>> sortedEntries(Map<?, ?> map) {
    List<Map.Entry<Object, Object>> entries = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      // Map.entry refuses null, and none is a legal value
      entries.add(new SimpleImmutableEntry<>(encodableKey(entry.getKey()), entry.getValue()));
    }
    entries.sort(Map.Entry.comparingByKey(KEY_ORDER));
    for (int i = 1; i < entries.size(); i++) {
      if (KEY_ORDER.compare(entries.get(i - 1).getKey(), entries.get(i).getKey()) == 0) {
        throw new IllegalArgumentException(
            "dict has the key " + preview(entries.get(i).getKey()) + " twice");
      }
    }
    return entries;
  }

  /** Whether a decoded value can be a dict key. */
  static boolean isKey(Object key) {
    return key instanceof String
        || key instanceof Bytes
        || key instanceof Long
        || key instanceof BigInteger;
  }

  private static Object encodableKey(Object key) {
    if (key instanceof String || key instanceof Bytes) {
      return key;
    } else if (isInteger(key)) {
      return normalizeInteger(key);
    }
    throw new IllegalArgumentException(
        "a dict key must be text, bytes or an integer, not " + typeName(key));
  }

  private static int keyRank(Object key) {
    if (key instanceof String) {
      return 1;
    }
    return key instanceof Bytes ? 2 : 0;
  }

  private static int compareSameRank(Object left, Object right) {
    if (left instanceof String) {
      return compareCodePoints((String) left, (String) right);
    } else if (left instanceof Bytes) {
      return ((Bytes) left).compareTo((Bytes) right);
    }
    return toBigInteger(left).compareTo(toBigInteger(right));
  }

  private static BigInteger toBigInteger(Object integer) {
    if (integer instanceof BigInteger) {
      return (BigInteger) integer;
    }
    return BigInteger.valueOf((Long) integer);
  }

  /** String.compareTo orders UTF-16 units, which puts U+FFFF after U+10000; Python does not. */
  static int compareCodePoints(String left, String right) {
    int i = 0;
    int j = 0;
    while (i < left.length() && j < right.length()) {
      int a = left.codePointAt(i);
      int b = right.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(left.length() - i, right.length() - j);
  }
}
