package dev.outpost.server.account;

/**
 * What a route of the admin API asks of its caller. Every route declares one; a route that declares
 * none is refused to everybody.
 */
public enum Permission {
  /** Open to anyone, signed in or not: signing in itself. */
  PUBLIC,
  /** Any administrator signed in, whatever the roles: what concerns the caller alone. */
  SIGNED_IN,
  /** Reading the account: activities, computers, scripts, events, settings. */
  READ,
  /** Changing what runs: creating, canceling, reapplying activities; scripts, profiles, tags. */
  OPERATE,
  /** Approving activities that wait for it, and holding queued ones. */
  APPROVE,
  /** Administrators, tokens, webhooks, the account's policies and its audit log. */
  ADMINISTER
}
