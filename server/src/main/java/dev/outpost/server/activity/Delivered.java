package dev.outpost.server.activity;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A client activity {@link Transitions#deliver} just moved to In Progress, with its parameters as
 * they were (its secrets are no longer held from then on), who created it and when, and its
 * computer's title and tags.
 */
public record Delivered(
    long activityId,
    long computerId,
    String type,
    JsonObject parameters,
    String creator,
    Instant createdAt,
    String computerTitle,
    List<String> computerTags) {}
