package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import java.util.Optional;

/**
 * What a requested transition did to one activity.
 *
 * @param from the state it was in; empty when it was not found
 * @param applied whether it moved
 * @param reason why it did not move, when a policy rather than the lifecycle refused it
 */
public record TransitionOutcome(
    long id, Optional<Status> from, Status to, boolean applied, Optional<String> reason) {

  /** An outcome the lifecycle decided. */
  public TransitionOutcome(long id, Optional<Status> from, Status to, boolean applied) {
    this(id, from, to, applied, Optional.empty());
  }

  /** Why it did not move, in words that name both states or the policy. */
  public String refusal() {
    return reason.orElseGet(
        () ->
            from.map(f -> "activity " + id + " cannot move from " + f + " to " + to)
                .orElse("activity " + id + " not found"));
  }
}
