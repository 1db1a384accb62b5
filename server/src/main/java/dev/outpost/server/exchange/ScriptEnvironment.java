package dev.outpost.server.exchange;

import dev.outpost.server.activity.Delivered;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Landscape's variables of a script's environment, sent in its message's {@code env}: the Landscape
 * Client adds that map to the environment it runs a script in, and so does Outpost's agent. They
 * name the computer, the activity and, where the server knows its public URL, the server; they take
 * the place of variables of the same names the activity's own {@code env} gives.
 */
final class ScriptEnvironment {

  /** The message type whose {@code env} the variables go into. */
  static final String MESSAGE_TYPE = "execute-script";

  private ScriptEnvironment() {}

  /**
   * The environment of a delivered script: {@code given} (the activity's {@code env}, if any) with
   * Landscape's variables, its computer's title and tags among them.
   */
  static Map<String, Object> of(
      Delivered delivered,
      String title,
      List<String> tags,
      Optional<String> publicUrl,
      Object given) {
    Map<String, Object> env = new LinkedHashMap<>();
    if (given instanceof Map<?, ?> own) {
      own.forEach((name, value) -> env.put(String.valueOf(name), value));
    }
    env.put("LANDSCAPE_COMPUTER_ID", Long.toString(delivered.computerId()));
    env.put("LANDSCAPE_COMPUTER_TITLE", title);
    env.put("LANDSCAPE_COMPUTER_TAGS", String.join(",", tags));
    env.put("LANDSCAPE_ACTIVITY_ID", Long.toString(delivered.activityId()));
    env.put("LANDSCAPE_ACTIVITY_CREATOR", delivered.creator());
    env.put("LANDSCAPE_ACTIVITY_CREATION_TIME", delivered.createdAt().toString());
    publicUrl.ifPresent(url -> env.put("LANDSCAPE_URL", url));
    return env;
  }
}
