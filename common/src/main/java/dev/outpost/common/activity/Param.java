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
 */
public record Param(String name, ParamType type, boolean required, List<String> allowed) {

  /** A parameter the request must give. */
  public static Param required(String name, ParamType type) {
    return new Param(name, type, true, List.of());
  }

  /** A parameter the request may leave out. */
  public static Param optional(String name, ParamType type) {
    return new Param(name, type, false, List.of());
  }

  /** A required string parameter limited to the given values. */
  public static Param oneOf(String name, String... values) {
    return new Param(name, ParamType.STRING, true, List.of(values));
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
