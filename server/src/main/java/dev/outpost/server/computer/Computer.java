package dev.outpost.server.computer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registered machine.
 *
 * @param pendingMessages server messages written for it and not yet acknowledged, and the
 *     activities it may be given now (DueRule)
 */
public record Computer(
    long id,
    String title,
    Optional<String> hostname,
    List<String> tags,
    Instant registeredAt,
    Optional<Instant> lastExchangeAt,
    long pendingMessages) {}
