package dev.outpost.server.activity;

import io.vertx.core.json.JsonObject;

/**
 * A client activity {@link Transitions#deliver} just moved to In Progress, with its parameters as
 * they were (its secrets are no longer held from then on).
 */
public record Delivered(long activityId, long computerId, String type, JsonObject parameters) {}
