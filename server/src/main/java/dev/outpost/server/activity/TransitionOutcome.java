package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import java.util.Optional;

/**
 * What a requested transition did to one activity.
 *
 * @param from the state it was in; empty when it was not found
 * @param applied whether it moved
 */
public record TransitionOutcome(long id, Optional<Status> from, Status to, boolean applied) {

  /** Why it did not move, in words that name both states. */
  public String refusal() {
    return from.map(f -> "activity " + id + " cannot move from " + f + " to " + to)
        .orElse("activity " + id + " not found");
  }
}
