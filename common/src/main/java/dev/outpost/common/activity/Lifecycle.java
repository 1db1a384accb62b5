package dev.outpost.common.activity;

import static dev.outpost.common.activity.Status.BLOCKED;
import static dev.outpost.common.activity.Status.CANCELED;
import static dev.outpost.common.activity.Status.FAILED;
import static dev.outpost.common.activity.Status.IN_PROGRESS;
import static dev.outpost.common.activity.Status.QUEUED;
import static dev.outpost.common.activity.Status.SCHEDULED;
import static dev.outpost.common.activity.Status.SUCCEEDED;
import static dev.outpost.common.activity.Status.WAITING;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one transition table of both lifecycles, written as the specification lists them.
 *
 * <p>Every status change anywhere asks this table; nothing writes a status it has not allowed.
 */
public final class Lifecycle {

  private static final Map<Kind, Map<Status, Set<Status>>> TABLE = new EnumMap<>(Kind.class);

  static {
    client(QUEUED, IN_PROGRESS, CANCELED, BLOCKED);
    client(SCHEDULED, IN_PROGRESS, CANCELED);
    client(WAITING, QUEUED, IN_PROGRESS, CANCELED);
    client(BLOCKED, QUEUED, CANCELED, WAITING);
    client(IN_PROGRESS, FAILED, SUCCEEDED, CANCELED);

    server(QUEUED, IN_PROGRESS, CANCELED, BLOCKED);
    server(SCHEDULED, QUEUED, IN_PROGRESS, CANCELED);
    server(WAITING, QUEUED, IN_PROGRESS, CANCELED);
    server(BLOCKED, QUEUED, CANCELED, WAITING);
    server(IN_PROGRESS, FAILED, SUCCEEDED, CANCELED);
    // Failed, Canceled and Succeeded are final in both: no row, no way out.
  }

  private Lifecycle() {}

  /** Whether an activity of this kind may move from one state to the other. */
  public static boolean allows(Kind kind, Status from, Status to) {
    return targets(kind, from).contains(to);
  }

  /** The states an activity of this kind may move to from the given one. */
  public static Set<Status> targets(Kind kind, Status from) {
    return TABLE.get(kind).getOrDefault(from, Set.of());
  }

  /** The states from which an activity of this kind may move to the given one. */
  public static Set<Status> sources(Kind kind, Status to) {
    EnumSet<Status> sources = EnumSet.noneOf(Status.class);
    TABLE
        .get(kind)
        .forEach(
            (from, targets) -> {
              if (targets.contains(to)) {
                sources.add(from);
              }
            });
    return Collections.unmodifiableSet(sources);
  }

  private static void client(Status from, Status... to) {
    row(Kind.CLIENT, from, to);
  }

  private static void server(Status from, Status... to) {
    row(Kind.SERVER, from, to);
  }

  private static void row(Kind kind, Status from, Status... to) {
    TABLE
        .computeIfAbsent(kind, k -> new EnumMap<>(Status.class))
        .put(from, Collections.unmodifiableSet(EnumSet.of(to[0], to)));
  }
}
