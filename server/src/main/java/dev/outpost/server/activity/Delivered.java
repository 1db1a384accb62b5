package dev.outpost.server.activity;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A client activity {@link Transitions#deliver} just moved to In Progress, with its parameters as
 * they were (its secrets are no longer held from then on), and who created it and when.
 */
public record Delivered(
    long activityId,
    long computerId,
    String type,
    JsonObject parameters,
    String creator,
    Instant createdAt) {}
