package dev.outpost.common.activity;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The eight states of an activity, with the names the API and the database use. */
public enum Status {
  QUEUED("queued"),
  SCHEDULED("scheduled"),
  WAITING("waiting"),
  BLOCKED("blocked"),
  IN_PROGRESS("in-progress"),
  FAILED("failed"),
  CANCELED("canceled"),
  SUCCEEDED("succeeded");

  private static final Map<String, Status> BY_NAME =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(Status::wireName, Function.identity()));

  /** Landscape's API spellings, accepted wherever a status name is. */
  private static final Map<String, Status> ALIASES =
      Map.of(
          "undelivered", QUEUED,
          "delivered", IN_PROGRESS,
          "unapproved", BLOCKED);

  private final String wireName;

  Status(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in JSON, queries and the database. */
  public String wireName() {
    return wireName;
  }

  /**
   * Whether an activity in this state will never change state again (a late result may still be
   * recorded).
   */
  public boolean isFinal() {
    return this == FAILED || this == CANCELED || this == SUCCEEDED;
  }

  /** Whether an activity may be created in this state. */
  public boolean isStart() {
    return this == QUEUED || this == SCHEDULED || this == WAITING || this == BLOCKED;
  }

  /** Parses a wire name or one of Landscape's aliases, case-insensitively. */
  public static Optional<Status> parse(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Status status = BY_NAME.get(key);
    return Optional.ofNullable(status != null ? status : ALIASES.get(key));
  }

  /** Parses a wire name as stored in the database; anything else is a bug. */
  public static Status fromWire(String name) {
    Status status = BY_NAME.get(name);
    if (status == null) {
      throw new IllegalArgumentException("unknown status [" + name + "]");
    }
    return status;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
