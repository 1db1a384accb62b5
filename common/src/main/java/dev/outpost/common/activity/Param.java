package dev.outpost.common.activity;

import java.util.List;

/**
 * One parameter an activity type takes, named as in the admin API (snake_case).
 *
 * @param name the API name; on the wire it is spelled with dashes ({@code time_limit} → {@code
 *     time-limit})
 * @param type the JSON shape it must have
 * @param required whether a request without it is refused
 * @param allowed for strings, the only values accepted; empty means any
 * @param itemKeys for lists of objects, the keys each object must give a string for (the Landscape
 *     Client reads them without checking); empty means none
 */
public record Param(
    String name, ParamType type, boolean required, List<String> allowed, List<String> itemKeys) {

  /** A parameter the request must give. */
  public static Param required(String name, ParamType type) {
    return new Param(name, type, true, List.of(), List.of());
  }

  /** A parameter the request may leave out. */
  public static Param optional(String name, ParamType type) {
    return new Param(name, type, false, List.of(), List.of());
  }

  /** A required string parameter limited to the given values. */
  public static Param oneOf(String name, String... values) {
    return new Param(name, ParamType.STRING, true, List.of(values), List.of());
  }

  /** A required list of objects, each giving a string for every one of the keys. */
  public static Param requiredObjects(String name, String... keys) {
    return new Param(name, ParamType.OBJECT_LIST, true, List.of(), List.of(keys));
  }

  /** Whether it is a credential the server keeps only until it is delivered. */
  public boolean isSecret() {
    return type == ParamType.SECRET;
  }

  /** The field name in the client message. */
  public String wireName() {
    return name.replace('_', '-');
  }
}
