package dev.outpost.common.wire;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Typed reading of a decoded dict, failing with a 400 that names the key and what it expected. Text
 * and bytes read alike, in keys and in values, so bpickle and JSON payloads read the same: the real
 * client sends {@code server-api} as bytes where a JSON agent can only send text. Optional readers
 * treat a key that is absent and a key whose value is none the same way.
 */
public final class WireMap {

  private final Map<?, ?> map;
  private final String path;

  private WireMap(Map<?, ?> map, String path) {
    this.map = map;
    this.path = path;
  }

  /** Reads a map. */
  public static WireMap of(Map<?, ?> map) {
    return new WireMap(map, "");
  }

  /**
   * Reads a decoded payload that must be a dict.
   *
   * @throws MalformedPayloadException (400) when it is anything else
   */
  public static WireMap of(Object payload) {
    if (payload instanceof Map) {
      return of((Map<?, ?>) payload);
    }
    throw MalformedPayloadException.shape(
        "the payload must be a dict, got " + Values.typeName(payload));
  }

  /** The map underneath, unmodifiable. */
  public Map<?, ?> asMap() {
    return Collections.unmodifiableMap(map);
  }

  /** Whether the key is present, even with the value none. */
  public boolean has(String key) {
    return textKey(key) || bytesKey(key);
  }

  /** The raw value of a key: none when absent or none. */
  public Object get(String key) {
    boolean text = textKey(key);
    boolean bytes = bytesKey(key);
    if (text && bytes) {
      throw keyProblem(name(key), "is present both as text and as bytes");
    }
    return text ? map.get(key) : map.get(Bytes.of(key));
  }

  /** A text value; bytes are read as UTF-8. */
  public String text(String key) {
    return required(key, "text", WireMap::readText);
  }

  /** An optional text value. */
  public Optional<String> optionalText(String key) {
    return optional(key, "text", WireMap::readText);
  }

  /** A bytes value; text is taken as its UTF-8 bytes. */
  public Bytes bytes(String key) {
    return required(key, "bytes", WireMap::readBytes);
  }

  /** An optional bytes value. */
  public Optional<Bytes> optionalBytes(String key) {
    return optional(key, "bytes", WireMap::readBytes);
  }

  /** An integer value that fits in a long. */
  public long integer(String key) {
    return required(key, "an integer", WireMap::readLong);
  }

  /** An optional integer value. */
  public Optional<Long> optionalInteger(String key) {
    return optional(key, "an integer", WireMap::readLong);
  }

  /** A bool value. */
  public boolean bool(String key) {
    return required(key, "a bool", WireMap::readBool);
  }

  /** An optional bool value. */
  public Optional<Boolean> optionalBool(String key) {
    return optional(key, "a bool", WireMap::readBool);
  }

  /** A list value; a tuple is read as a list of its items. */
  public List<Object> list(String key) {
    return required(key, "a list", WireMap::readList);
  }

  /** An optional list value. */
  public Optional<List<Object>> optionalList(String key) {
    return optional(key, "a list", WireMap::readList);
  }

  /** A dict value, read in turn; failures inside it name the whole path. */
  public WireMap map(String key) {
    return required(key, "a dict", WireMap::readMap);
  }

  /** An optional dict value. */
  public Optional<WireMap> optionalMap(String key) {
    return optional(key, "a dict", WireMap::readMap);
  }

  /** A list whose items are all text, like {@code client-accepted-types}. */
  public List<String> textList(String key) {
    return items(key, "text", WireMap::readText);
  }

  /** A list whose items are all dicts, like {@code messages}. */
  public List<WireMap> mapList(String key) {
    return items(key, "a dict", WireMap::readMap);
  }

  @Override
  public String toString() {
    return map.toString();
  }

  /** Reads a present value, or nothing when it is of another type. */
  private interface Reader<T> extends BiFunction<String, Object, Optional<T>> {}

  private <T> T required(String key, String expected, Reader<T> reader) {
    if (!has(key)) {
      throw keyProblem(name(key), "is missing");
    }
    return read(name(key), get(key), expected, reader);
  }

  private <T> Optional<T> optional(String key, String expected, Reader<T> reader) {
    Object value = get(key);
    return value == null ? Optional.empty() : Optional.of(read(name(key), value, expected, reader));
  }

  private <T> List<T> items(String key, String expected, Reader<T> reader) {
    List<Object> list = list(key);
    List<T> items = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      items.add(read(name(key) + "[" + i + "]", list.get(i), expected, reader));
    }
    return Collections.unmodifiableList(items);
  }

  private static <T> T read(String name, Object value, String expected, Reader<T> reader) {
    return reader
        .apply(name, value)
        .orElseThrow(
            () -> keyProblem(name, "must be " + expected + ", got " + Values.typeName(value)));
  }

  private static Optional<String> readText(String name, Object value) {
    if (value instanceof String) {
      return Optional.of((String) value);
    } else if (value instanceof Bytes) {
      byte[] bytes = ((Bytes) value).array();
      return Optional.of(
          Utf8.decode(bytes, 0, bytes.length)
              .orElseThrow(() -> keyProblem(name, "must be text, got bytes that are not UTF-8")));
    }
    return Optional.empty();
  }

  private static Optional<Bytes> readBytes(String name, Object value) {
    if (value instanceof Bytes) {
      return Optional.of((Bytes) value);
    }
    return value instanceof String ? Optional.of(Bytes.of((String) value)) : Optional.empty();
  }

  private static Optional<Long> readLong(String name, Object value) {
    if (!Values.isInteger(value)) {
      return Optional.empty();
    }
    Object integer = Values.normalizeInteger(value);
    if (integer instanceof BigInteger) {
      throw keyProblem(name, "is an integer out of range: " + integer);
    }
    return Optional.of((Long) integer);
  }

  private static Optional<Boolean> readBool(String name, Object value) {
    return value instanceof Boolean ? Optional.of((Boolean) value) : Optional.empty();
  }

  @SuppressWarnings("unchecked")
  private static Optional<List<Object>> readList(String name, Object value) {
    if (value instanceof List) {
      return Optional.of((List<Object>) value);
    }
    return value instanceof Tuple ? Optional.of(((Tuple) value).items()) : Optional.empty();
  }

  private static Optional<WireMap> readMap(String name, Object value) {
    return value instanceof Map
        ? Optional.of(new WireMap((Map<?, ?>) value, name))
        : Optional.empty();
  }

  /** The key with the path of dicts above it, as error messages show it. */
  private String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static MalformedPayloadException keyProblem(String name, String problem) {
    return MalformedPayloadException.shape("key '" + name + "' " + problem);
  }

  private boolean textKey(String key) {
    return map.containsKey(key);
  }

  private boolean bytesKey(String key) {
    return map.containsKey(Bytes.of(key));
  }
}
