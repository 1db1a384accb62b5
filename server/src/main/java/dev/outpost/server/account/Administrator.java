package dev.outpost.server.account;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An administrator of an account, as the API shows one: never the password's hash.
 *
 * @param hasPassword whether a password is set (else the administrator signs in with tokens only)
 */
public record Administrator(
    long id,
    long accountId,
    String email,
    String name,
    Set<Role> roles,
    boolean hasPassword,
    Instant createdAt,
    Optional<Instant> disabledAt) {}
