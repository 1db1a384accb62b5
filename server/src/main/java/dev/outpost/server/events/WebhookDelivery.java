package dev.outpost.server.events;

import java.time.Instant;
import java.util.Optional;

/**
 * One event's delivery to a webhook, as its log shows it.
 *
 * @param state {@code pending}, {@code delivered} or {@code abandoned} (its webhook was disabled)
 * @param lastStatus the HTTP status of the last answer, when one came
 * @param nextAttemptAt when a pending delivery is tried next
 */
public record WebhookDelivery(
    long id,
    Position position,
    String event,
    String state,
    int attempts,
    Optional<Integer> lastStatus,
    Optional<String> lastError,
    Instant createdAt,
    Optional<Instant> nextAttemptAt,
    Optional<Instant> finishedAt) {}
