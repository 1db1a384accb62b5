package dev.outpost.server.activity;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A request to create an activity, as the admin API takes it.
 *
 * @param computerIds one activity per computer; several make a group
 * @param deliverAfter a future time starts it Scheduled
 * @param requiresApproval starts it Blocked
 */
public record NewActivity(
    String type,
    List<Long> computerIds,
    JsonObject parameters,
    Optional<String> summary,
    Optional<Instant> deliverAfter,
    boolean requiresApproval) {
}
