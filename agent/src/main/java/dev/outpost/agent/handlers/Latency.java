package dev.outpost.agent.handlers;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** How long a simulated operation takes: a distribution to draw from. */
public sealed interface Latency {

  /** The longest time drawn, whatever the distribution's tail. */
  Duration CAP = Duration.ofHours(1);

  /** One time, in milliseconds, at most {@link #CAP}. */
  long millis(RandomGenerator random);

  /** Always the same time. */
  record Fixed(Duration time) implements Latency {
    @Override
    public long millis(RandomGenerator random) {
      return Math.min(time.toMillis(), CAP.toMillis());
    }
  }

  /** Any time between {@code min} and {@code max}, equally likely. */
  record Uniform(Duration min, Duration max) implements Latency {
    public Uniform {
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException("max must not be less than min");
      }
    }

    @Override
    public long millis(RandomGenerator random) {
      long span = max.toMillis() - min.toMillis();
      return Math.min(min.toMillis() + (span == 0 ? 0 : random.nextLong(span + 1)), CAP.toMillis());
    }
  }

  /** Exponential with the given mean: most operations quick, a few long. */
  record Exponential(Duration mean) implements Latency {
    @Override
    public long millis(RandomGenerator random) {
      double drawn = -Math.log(1 - random.nextDouble()) * mean.toMillis();
      return Math.min(Math.round(drawn), CAP.toMillis());
    }
  }

  /**
   * Log-normal with the given median and 99th percentile: the long tail of real operations (a
   * package upgrade that fetches half the archive).
   */
  record LogNormal(Duration median, Duration p99) implements Latency {

    /** The standard normal's 99th percentile. */
    private static final double Z99 = 2.326348;

    public LogNormal {
      if (median.toMillis() <= 0 || p99.compareTo(median) < 0) {
        throw new IllegalArgumentException("median must be positive and p99 not below it");
      }
    }

    @Override
    public long millis(RandomGenerator random) {
      double mu = Math.log(median.toMillis());
      double sigma = (Math.log(p99.toMillis()) - mu) / Z99;
      double drawn = Math.exp(mu + sigma * random.nextGaussian());
      return Math.min(Math.round(drawn), CAP.toMillis());
    }
  }
}
