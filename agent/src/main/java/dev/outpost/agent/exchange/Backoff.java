package dev.outpost.agent.exchange;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait after failed exchanges: {@code min · 2^(failures-1)}, capped at {@code max}, of
 * which a random half to all is taken so that agents failing together do not return together.
 * Landscape waits 300 s to 7200 s.
 */
public record Backoff(Duration min, Duration max) {

  /** The Landscape Client's bounds. */
  public static final Backoff LANDSCAPE =
      new Backoff(Duration.ofSeconds(300), Duration.ofSeconds(7200));

  /** Checks that the bounds are ordered and positive. */
  public Backoff {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < min <= max, got " + min + " and " + max);
    }
  }

  /** The wait after the given number of consecutive failures (1 or more). */
  public Duration delay(int failures, RandomGenerator random) {
    long ceiling = max.toMillis();
    long full = min.toMillis();
    for (int i = 1; i < failures && full < ceiling; i++) {
      full *= 2;
    }
    full = Math.min(full, ceiling);
    long half = full / 2;
    return Duration.ofMillis(half + random.nextLong(full - half + 1));
  }
}
