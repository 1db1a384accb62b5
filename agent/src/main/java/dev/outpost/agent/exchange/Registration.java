package dev.outpost.agent.exchange;

import java.util.Optional;

/**
 * What the agent registers with (PROTOCOL.md section 5).
 *
 * @param key the account's registration key; none when the account needs none
 * @param tags comma-separated, or none
 */
public record Registration(
    String accountName,
    Optional<String> key,
    String title,
    String hostname,
    Optional<String> tags) {

  @Override
  public String toString() {
    return "Registration[account=" + accountName + ", title=" + title + "]";
  }
}
