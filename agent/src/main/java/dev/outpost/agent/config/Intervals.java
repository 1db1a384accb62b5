package dev.outpost.agent.config;

import java.time.Duration;
import java.util.Map;

/**
 * How often an agent talks to the server: regular exchanges, urgent ones (after a result, or a ping
 * answering true) and pings. Landscape's defaults are 900 s, 60 s and 30 s.
 */
public record Intervals(Duration exchange, Duration urgent, Duration ping) {

  /** The Landscape Client's defaults. */
  public static final Intervals LANDSCAPE =
      new Intervals(Duration.ofSeconds(900), Duration.ofSeconds(60), Duration.ofSeconds(30));

  /** The keys of a {@code set-intervals} message, in seconds. */
  public static final String EXCHANGE = "exchange";

  public static final String URGENT = "urgent-exchange";
  public static final String PING = "ping";

  /** Checks that every interval is positive. */
  public Intervals {
    for (Duration d : new Duration[] {exchange, urgent, ping}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("intervals must be positive, got " + d);
      }
    }
  }

  /** These intervals with those the server set (seconds by {@code set-intervals} key) applied. */
  public Intervals with(Map<String, Long> serverSeconds) {
    return new Intervals(
        pick(serverSeconds, EXCHANGE, exchange),
        pick(serverSeconds, URGENT, urgent),
        pick(serverSeconds, PING, ping));
  }

  private static Duration pick(Map<String, Long> seconds, String key, Duration otherwise) {
    Long value = seconds.get(key);
    return value == null || value <= 0 ? otherwise : Duration.ofSeconds(value);
  }
}
