package dev.outpost.server.script;

import java.time.Instant;
import java.util.Optional;

/**
 * A script profile: a saved script run on targets when its trigger fires.
 *
 * @param username the user the runs take, over the script's default
 * @param timeLimit the seconds the runs may take, over the script's default
 * @param nextFireAt the next due time; empty when nothing is due (an event trigger, a one-time
 *     trigger that fired, an archived profile)
 */
public record Profile(
    long id,
    long accountId,
    String title,
    long scriptId,
    ProfileTargets targets,
    Optional<String> username,
    Optional<Integer> timeLimit,
    Trigger trigger,
    Optional<Instant> nextFireAt,
    Optional<Instant> lastFiredAt,
    String creator,
    Instant createdAt,
    Optional<Instant> archivedAt) {}
