package dev.outpost.common.activity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Predicate;

/** The JSON shape an activity parameter must have. */
public enum ParamType {
  STRING("a string", v -> v instanceof String),
  /**
   * A string that is a credential (a password, a token): never shown by the API, never logged or
   * archived, and dropped once delivered (see {@link SecretParameters}).
   */
  SECRET("a string", v -> v instanceof String),
  INT("an integer", v -> v instanceof Integer || v instanceof Long),
  BOOL("a boolean", v -> v instanceof Boolean),
  STRING_LIST("a list of strings", v -> isListOf(v, String.class)),
  INT_LIST("a list of integers", v -> isListOf(v, Integer.class) || isListOf(v, Long.class)),
  OBJECT("an object", v -> v instanceof JsonObject),
  OBJECT_LIST("a list of objects", v -> isListOf(v, JsonObject.class));

  private final String description;
  private final Predicate<Object> check;

  ParamType(String description, Predicate<Object> check) {
    this.description = description;
    this.check = check;
  }

  /** How an error message names this shape ("a list of strings"). */
  public String description() {
    return description;
  }

  /** Whether a decoded JSON value has this shape. */
  public boolean accepts(Object value) {
    return check.test(value);
  }

  private static boolean isListOf(Object value, Class<?> element) {
    return value instanceof JsonArray array && array.stream().allMatch(element::isInstance);
  }
}
