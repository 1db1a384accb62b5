package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import java.util.Optional;

/**
 * An agent's result on an activity of its computer, for {@link Transitions#applyResults}.
 *
 * @param status Succeeded or Failed
 */
public record AgentResult(
    long computerId,
    long activityId,
    Status status,
    Optional<Integer> code,
    Optional<String> text) {}
