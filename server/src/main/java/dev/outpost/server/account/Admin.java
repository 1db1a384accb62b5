package dev.outpost.server.account;

/**
 * Who is calling the admin API: the account the token is scoped to and the token's name.
 *
 * @param accountId the only account this caller sees
 * @param name recorded as creator and actor of what the caller does
 */
public record Admin(long accountId, String name) {}
