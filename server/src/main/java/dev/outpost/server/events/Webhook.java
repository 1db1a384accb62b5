package dev.outpost.server.events;

import java.time.Instant;
import java.util.Optional;

/**
 * A webhook as its admins see it; its secret is never read back.
 *
 * @param failingSince the first failed delivery since the last one that succeeded
 * @param disabledAt when it was disabled for failing longer than the retry window
 * @param disabledReason why, with the last error
 */
public record Webhook(
    long id,
    String url,
    String query,
    Instant createdAt,
    Optional<Instant> failingSince,
    Optional<Instant> disabledAt,
    Optional<String> disabledReason) {}
