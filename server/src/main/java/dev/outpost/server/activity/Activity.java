package dev.outpost.server.activity;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Status;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An activity as stored; a group's status is the one derived from its children.
 *
 * @param conditions what it was created with beyond its type and parameters
 * @param reappliedFrom the activity this one was created to redo
 * @param childrenByStatus a group's children counted per status (empty for other activities)
 * @param children the group's children, loaded only where asked for (otherwise empty)
 */
public record Activity(
    long id,
    Optional<Long> parentId,
    Optional<Long> computerId,
    Kind kind,
    String type,
    Status status,
    String summary,
    JsonObject parameters,
    String creator,
    Instant createdAt,
    Optional<Instant> deliverAfter,
    Optional<Instant> deliveredAt,
    Optional<Instant> completedAt,
    Optional<Integer> resultCode,
    Optional<String> resultText,
    Optional<Integer> progress,
    Conditions conditions,
    Optional<Long> reappliedFrom,
    Map<Status, Long> childrenByStatus,
    List<Activity> children) {

  /** Whether this is the parent of a multi-computer request. */
  public boolean isGroup() {
    return dev.outpost.common.activity.ActivityType.GROUP.equals(type);
  }

  /** The same activity with its children attached. */
  public Activity withChildren(List<Activity> loaded) {
    return new Activity(
        id,
        parentId,
        computerId,
        kind,
        type,
        status,
        summary,
        parameters,
        creator,
        createdAt,
        deliverAfter,
        deliveredAt,
        completedAt,
        resultCode,
        resultText,
        progress,
        conditions,
        reappliedFrom,
        childrenByStatus,
        List.copyOf(loaded));
  }

  /**
   * The ways into and out of the lifecycle an activity was created with.
   *
   * @param deliverBefore undelivered by then, it is canceled as expired
   * @param dependsOn the activity it waits for
   * @param runOnDependencyFailure released rather than canceled when the dependency fails
   * @param timeoutSeconds for server activities, the longest run
   * @param maxConcurrency for groups, children in progress at once
   * @param maxErrors for groups, failed children tolerated
   * @param attempt how many times it was delivered or claimed
   * @param targetQuery the computer query the request targeted, as written ({@code ""} for all
   *     computers); empty when it named its computers
   */
  public record Conditions(
      Optional<Instant> deliverBefore,
      Optional<Long> dependsOn,
      Optional<Integer> progressThreshold,
      boolean runOnDependencyFailure,
      Optional<Integer> timeoutSeconds,
      Optional<Integer> maxConcurrency,
      Optional<Integer> maxErrors,
      int attempt,
      Optional<String> targetQuery) {}
}
