package dev.outpost.server.exchange;

import dev.outpost.server.account.ClientIntervals;
import java.util.List;
import java.util.Optional;

/**
 * A computer's exchange state, read under a row lock at the start of an exchange, with what its
 * delivery tells it: its title and tags (a script's environment) and its account's client
 * intervals. The lock keeps the title and tags as read until the exchange commits; the intervals
 * may change meanwhile, and a change is sent at a later exchange ({@link IntervalNotices}).
 *
 * @param nextExpectedIn the sequence number of the next client message the server expects
 * @param outBase the sequence number of the oldest message in the outgoing store
 * @param clientTypes the message types the client said it accepts
 */
record ComputerState(
    long id,
    long nextExpectedIn,
    long outBase,
    Optional<byte[]> exchangeTokenHash,
    List<String> clientTypes,
    String title,
    List<String> tags,
    Intervals intervals) {

  /**
   * The account's client intervals as the computer was last sent them.
   *
   * @param sent the version of the account's intervals last put in the computer's outgoing store
   * @param version the account's version of its intervals now
   * @param now the account's intervals now
   */
  record Intervals(long sent, long version, ClientIntervals now) {

    /** Intervals the computer has been sent. */
    static final Intervals CURRENT = new Intervals(0, 0, ClientIntervals.NONE);

    /** Whether the account changed its intervals since the computer was last sent them. */
    boolean changed() {
      return sent < version;
    }
  }
}
