package dev.outpost.common.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text made storable: PostgreSQL refuses NUL in text and jsonb, and no encoding has a form for
 * an unpaired surrogate, yet scripts print both and agents pass them on. Each becomes U+FFFD, the
 * replacement character, so that what arrives is kept (marked) rather than refused.
 */
public final class StorableText {

  /** What a NUL or an unpaired surrogate becomes. */
  public static final char REPLACEMENT = '\uFFFD';

  private StorableText() {
  }

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
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
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
   * A decoded wire value with every text in it (keys too) made storable, and bytes read as UTF-8
   * text (each bad sequence U+FFFD), as JSON would read them: for keeping what clients report.
   */
  public static Object value(Object value) {
    if (value instanceof String text) {
      return of(text);
    } else if (value instanceof Bytes bytes) {
      return of(new String(bytes.array(), StandardCharsets.UTF_8));
    } else if (value instanceof Tuple tuple) {
      return list(tuple.items());
    } else if (value instanceof List<?> items) {
      return list(items);
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>(map.size() * 2);
      map.forEach((k, v) -> out.put(k instanceof String || k instanceof Bytes ? value(k) : k,
          value(v)));
      return out;
    } else if (value instanceof Double number && !Double.isFinite(number)) {
      // JSON has no NaN or infinity
      return number.toString();
    }
    return value;
  }

  private static List<Object> list(List<?> items) {
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(item -> out.add(value(item)));
    return out;
  }

  private static int firstProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length()
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
