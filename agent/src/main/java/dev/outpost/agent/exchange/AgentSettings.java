package dev.outpost.agent.exchange;

import dev.outpost.agent.config.Intervals;
import java.time.Duration;

/**
 * How one agent behaves.
 *
 * @param intervals the configured intervals; {@code set-intervals} overrides them
 * @param firstExchange how long after starting the first exchange comes
 * @param spread whether the first regular exchange comes at a random point of the interval, so that
 *     agents started together drift apart (for simulated fleets)
 * @param journalSize finished operations remembered at least
 * @param channel whether the agent keeps a channel open to the server once registered
 * @param driven whether the agent exchanges only when told to ({@link Agent#exchangeNow}), never on
 *     its own intervals, and does not ping: the simulator's open model sets the pace itself
 */
public record AgentSettings(
    Registration registration,
    Intervals intervals,
    Backoff backoff,
    Duration firstExchange,
    boolean spread,
    int journalSize,
    boolean channel,
    boolean driven) {

  /** Finished operations a real agent remembers. */
  public static final int JOURNAL_SIZE = 1000;
}
