package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of an activity's transition log.
 *
 * @param from empty for the event that created the activity
 */
public record ActivityEvent(
    long id, Optional<Status> from, Status to, Instant at, String actor, Optional<String> reason) {}
