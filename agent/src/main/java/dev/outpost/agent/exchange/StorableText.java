package dev.outpost.agent.exchange;

import dev.outpost.common.wire.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the text of an outgoing message storable: NUL, which PostgreSQL refuses in text, and
 * UTF-16 surrogates without their pair, which have no UTF-8 form, become U+FFFD, the sign the
 * UTF-8 decoding of script output already puts for bytes that are not UTF-8. One such character
 * would otherwise fail every exchange that carries the message, and so every later one.
 */
final class StorableText {

  /** What stands for a character that cannot be stored. */
  static final char REPLACEMENT = '\uFFFD';

  private StorableText() {
  }

  /** The text with NUL and unpaired surrogates replaced; the same string when it holds none. */
  static String of(String text) {
    int bad = firstBad(text);
    if (bad < 0) {
      return text;
    }
    StringBuilder clean = new StringBuilder(text.length());
    clean.append(text, 0, bad);
    for (int i = bad; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        clean.append(c).append(text.charAt(++i));
      } else {
        clean.append(c == '\0' || Character.isSurrogate(c) ? REPLACEMENT : c);
      }
    }
    return clean.toString();
  }

  /** A message with every text in it, at any depth, keys included, made storable. */
  static Map<String, Object> message(Map<String, Object> message) {
    Map<String, Object> clean = new LinkedHashMap<>();
    message.forEach((key, value) -> clean.put(of(key), value(value)));
    return clean;
  }

  private static Object value(Object value) {
    if (value instanceof String text) {
      return of(text);
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> clean = new LinkedHashMap<>();
      map.forEach((key, item) -> clean.put(value(key), value(item)));
      return clean;
    }
    if (value instanceof List<?> list) {
      List<Object> clean = new ArrayList<>(list.size());
      list.forEach(item -> clean.add(value(item)));
      return clean;
    }
    if (value instanceof Tuple tuple) {
      List<Object> clean = new ArrayList<>(tuple.size());
      tuple.items().forEach(item -> clean.add(value(item)));
      return new Tuple(clean);
    }
    return value;
  }

  /** The index of the first character that cannot be stored, or -1. */
  private static int firstBad(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (c == '\0' || Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
