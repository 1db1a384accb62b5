package dev.outpost.server.account;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling the admin API: the administrator, the token or session they came with, and what
 * that lets them do in the one account they see.
 *
 * @param accountId the only account this caller sees
 * @param administratorId the administrator the token belongs to
 * @param email the administrator's email: the actor and creator of what the caller does
 * @param tokenId the token or session the caller came with
 * @param tokenName its name, as the audit log shows it
 * @param roles what the token may do: its roles that its administrator holds
 * @param expiresAt when the token stops working, if ever
 * @param session whether the caller came with a session (cookie) rather than a token
 */
public record Admin(
    long accountId,
    long administratorId,
    String email,
    long tokenId,
    String tokenName,
    Set<Role> roles,
    Optional<Instant> expiresAt,
    boolean session) {

  /** Copies the roles, so that the caller stays as authenticated. */
  public Admin {
    roles = Set.copyOf(roles);
  }

  /** The name recorded as creator and actor of what the caller does: the administrator's email. */
  public String name() {
    return email;
  }

  /** Whether the caller's roles grant the permission. */
  public boolean may(Permission permission) {
    return Role.grant(roles, permission);
  }
}
