package dev.outpost.server.script;

import java.time.Instant;
import java.util.Optional;

/**
 * A saved script with its current version.
 *
 * @param version the number of the current version, whose code and interpreter these are
 * @param username the user a run takes unless it names one
 * @param timeLimit the seconds a run may take unless it says otherwise
 * @param archivedAt when it was archived: hidden from listings, it starts nothing new
 */
public record Script(
    long id,
    String title,
    int version,
    String code,
    String interpreter,
    Optional<String> username,
    Optional<Integer> timeLimit,
    String creator,
    Instant createdAt,
    Optional<Instant> archivedAt) {}
