package dev.outpost.server.exchange;

import io.vertx.core.json.JsonObject;

/** A client activity just moved to In Progress, to be written into the outgoing store. */
record Delivery(long activityId, String type, JsonObject parameters) {
}
