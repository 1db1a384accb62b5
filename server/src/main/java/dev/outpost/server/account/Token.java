package dev.outpost.server.account;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An admin token as the API lists it: never its secret, which is shown once, when it is made.
 *
 * @param roles the roles the token was given; empty: every role of its administrator
 */
public record Token(
    long id,
    long administratorId,
    String administrator,
    String name,
    Optional<Set<Role>> roles,
    Instant createdAt,
    Optional<Instant> expiresAt,
    Optional<String> creator) {}
