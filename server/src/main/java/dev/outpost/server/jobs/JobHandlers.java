package dev.outpost.server.jobs;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The job handlers by activity type, checked against the type registry when the server starts:
 * every server-kind type of {@link ActivityTypes} has a handler, and every handler is registered
 * under a server-kind type, so a type added without its handler (or a handler under a misspelt
 * name) stops the server at start rather than failing its activities later.
 */
public final class JobHandlers {

  private JobHandlers() {}

  /**
   * The handlers, once checked.
   *
   * @throws IllegalStateException naming each server-kind type without a handler and each name no
   *     server-kind type has
   */
  public static Map<String, JobHandler> checked(Map<String, JobHandler> handlers) {
    List<String> problems = new ArrayList<>();
    for (String type : serverTypes()) {
      if (!handlers.containsKey(type)) {
        problems.add("server activity type " + type + " has no job handler");
      }
    }
    for (String name : new TreeSet<>(handlers.keySet())) {
      Optional<ActivityType> type = ActivityTypes.find(name);
      if (type.isEmpty()) {
        problems.add("a job handler is registered for '" + name + "', which is no activity type");
      } else if (type.get().kind() != Kind.SERVER) {
        problems.add(
            "a job handler is registered for "
                + name
                + ", which is a client activity type (its agents run it)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    return Map.copyOf(handlers);
  }

  /** The names of the server-kind activity types, each of which needs a handler. */
  public static Set<String> serverTypes() {
    Set<String> types = new TreeSet<>();
    ActivityTypes.all().stream()
        .filter(type -> type.kind() == Kind.SERVER)
        .forEach(type -> types.add(type.name()));
    return types;
  }
}
