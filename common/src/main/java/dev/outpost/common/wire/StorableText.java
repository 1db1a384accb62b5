package dev.outpost.common.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text made storable: PostgreSQL refuses NUL in text and jsonb, and no encoding has a form for an
 * unpaired surrogate, yet scripts print both and agents pass them on. Each becomes U+FFFD, the
 * replacement character, so that what arrives is kept (marked) rather than refused.
 */
public final class StorableText {

  /** What a NUL or an unpaired surrogate becomes. */
  public static final char REPLACEMENT = '\uFFFD';

  private StorableText() {}

  /** Whether the text has neither NUL nor an unpaired surrogate. */
  public static boolean isStorable(String text) {
    return firstProblem(text) < 0;
  }

  /** The text with each NUL and unpaired surrogate replaced; the same string when it has none. */
  public static String of(String text) {
    int first = firstProblem(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length()).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (c == '\0' || Character.isSurrogate(c)) {
        out.append(REPLACEMENT);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A message about to be sent, with every text in it made storable, at any depth and in keys;
   * bytes, numbers and the shape (tuples stay tuples) are left as they are.
   */
  public static Map<String, Object> message(Map<String, Object> message) {
    Map<String, Object> clean = new LinkedHashMap<>();
    message.forEach((key, value) -> clean.put(of(key), wire(value)));
    return clean;
  }

  private static Object wire(Object value) {
    if (value instanceof String text) {
      return of(text);
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> clean = new LinkedHashMap<>();
      map.forEach((key, item) -> clean.put(wire(key), wire(item)));
      return clean;
    } else if (value instanceof List<?> items) {
      List<Object> clean = new ArrayList<>(items.size());
      items.forEach(item -> clean.add(wire(item)));
      return clean;
    } else if (value instanceof Tuple tuple) {
      List<Object> clean = new ArrayList<>(tuple.size());
      tuple.items().forEach(item -> clean.add(wire(item)));
      return new Tuple(clean);
    }
    return value;
  }

  /**
   * A decoded wire value as JSON can hold it, for keeping what clients report: every text (keys
   * too) made storable, bytes read as UTF-8 text (each bad sequence U+FFFD), tuples as lists, and a
   * float JSON has no form for (NaN, infinity) as its text.
   */
  public static Object json(Object value) {
    if (value instanceof String text) {
      return of(text);
    } else if (value instanceof Bytes bytes) {
      return of(new String(bytes.array(), StandardCharsets.UTF_8));
    } else if (value instanceof Tuple tuple) {
      return jsonList(tuple.items());
    } else if (value instanceof List<?> items) {
      return jsonList(items);
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>(map.size() * 2);
      map.forEach(
          (k, v) -> out.put(k instanceof String || k instanceof Bytes ? json(k) : k, json(v)));
      return out;
    } else if (value instanceof Double number && !Double.isFinite(number)) {
      return number.toString();
    }
    return value;
  }

  private static List<Object> jsonList(List<?> items) {
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(item -> out.add(json(item)));
    return out;
  }

  private static int firstProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
