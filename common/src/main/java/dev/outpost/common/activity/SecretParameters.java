package dev.outpost.common.activity;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How activity parameters hold their secrets ({@link ParamType#SECRET}, named by {@link
 * ActivityTypes#secrets()}). A stored secret is one of three things: absent (never given), a string
 * (given, still needed to deliver the activity), or JSON null (given, and no longer held: dropped
 * once delivered, or never kept, as by a group or the archive). The API shows a given secret as
 * {@link #REDACTED} whether it is held or not.
 */
public final class SecretParameters {

  /** What the API shows in place of a secret that was given. */
  public static final String REDACTED = "********";

  private SecretParameters() {}

  /** The parameters as the API shows them: every given secret as {@link #REDACTED}. */
  public static JsonObject redacted(JsonObject parameters) {
    return replaced(parameters, REDACTED);
  }

  /**
   * The parameters as a new activity keeps them: a secret given as null is left out, since a stored
   * null means one that was given and dropped.
   */
  public static JsonObject stored(JsonObject parameters) {
    JsonObject stored = parameters;
    for (String name : ActivityTypes.secrets()) {
      if (parameters.containsKey(name) && parameters.getValue(name) == null) {
        stored = stored == parameters ? parameters.copy() : stored;
        stored.remove(name);
      }
    }
    return stored;
  }

  /** The parameters with every secret no longer held: what a group or the archive keeps. */
  public static JsonObject withheld(JsonObject parameters) {
    return replaced(parameters, null);
  }

  /** The secrets that were given but are no longer held, which a reapply must give again. */
  public static List<String> notHeld(JsonObject parameters) {
    return ActivityTypes.secrets().stream()
        .filter(name -> parameters.containsKey(name) && parameters.getValue(name) == null)
        .toList();
  }

  private static JsonObject replaced(JsonObject parameters, String replacement) {
    JsonObject replaced = parameters;
    for (String name : ActivityTypes.secrets()) {
      if (parameters.containsKey(name)) {
        replaced = replaced == parameters ? parameters.copy() : replaced;
        replaced.put(name, replacement);
      }
    }
    return replaced;
  }
}
