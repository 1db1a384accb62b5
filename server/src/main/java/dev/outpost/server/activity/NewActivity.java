package dev.outpost.server.activity;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A request to create an activity, as the admin API takes it.
 *
 * @param computerIds one activity per computer; several make a group
 * @param targetQuery instead of {@code computerIds}, the computer query whose computers are
 *     targeted, resolved at creation ({@code ""} for all the account's computers)
 * @param deliverAfter a future time starts it Scheduled
 * @param deliverBefore not delivered by then, it is canceled as expired
 * @param delayWindowMinutes each child draws its own delivery delay within this many minutes
 * @param requiresApproval starts it Blocked
 * @param dependency starts it Waiting on another activity
 * @param timeoutSeconds for server activities: the longest run before it fails
 * @param maxConcurrency for groups: children in progress at once
 * @param maxErrors for groups: failed children tolerated before the undelivered rest is canceled
 */
public record NewActivity(
    String type,
    List<Long> computerIds,
    Optional<String> targetQuery,
    JsonObject parameters,
    Optional<String> summary,
    Optional<Instant> deliverAfter,
    Optional<Instant> deliverBefore,
    int delayWindowMinutes,
    boolean requiresApproval,
    Optional<Dependency> dependency,
    Optional<Integer> timeoutSeconds,
    Optional<Limit> maxConcurrency,
    Optional<Limit> maxErrors) {

  /** The same request for the computers given, as a query resolves to. */
  public NewActivity withComputers(List<Long> ids) {
    return new NewActivity(
        type,
        ids,
        targetQuery,
        parameters,
        summary,
        deliverAfter,
        deliverBefore,
        delayWindowMinutes,
        requiresApproval,
        dependency,
        timeoutSeconds,
        maxConcurrency,
        maxErrors);
  }

  /** A request with only the essentials. */
  public static NewActivity of(String type, List<Long> computerIds, JsonObject parameters) {
    return new NewActivity(
        type,
        computerIds,
        Optional.empty(),
        parameters,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** The same request with other parameters. */
  public NewActivity withParameters(JsonObject replaced) {
    return new NewActivity(
        type,
        computerIds,
        targetQuery,
        replaced,
        summary,
        deliverAfter,
        deliverBefore,
        delayWindowMinutes,
        requiresApproval,
        dependency,
        timeoutSeconds,
        maxConcurrency,
        maxErrors);
  }

  /**
   * What an activity waits for.
   *
   * @param progressThreshold released once the dependency reports at least this progress
   * @param runOnFailure released (rather than canceled) when the dependency fails or is canceled
   */
  public record Dependency(
      long activityId, Optional<Integer> progressThreshold, boolean runOnFailure) {}

  /** A count, or a percentage of a group's children. */
  public record Limit(int value, boolean percent) {

    /** The count this limit allows in a group of {@code children}, a percentage rounded down. */
    public int resolve(int children) {
      return percent ? (int) Math.floor(children * value / 100.0) : value;
    }
  }
}
