package dev.outpost.bench.support;

import java.util.Arrays;

/** Latencies in nanoseconds, recorded by one thread at a time, merged at the end of a run. */
public final class Latencies {

  private long[] values = new long[1 << 16];
  private int count;
  private boolean sorted;

  /** Records one latency. */
  public void record(long nanos) {
    if (count == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[count++] = nanos;
    sorted = false;
  }

  /** Adds another recorder's values to these. */
  public void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) {
      record(other.values[i]);
    }
  }

  /** How many were recorded. */
  public int count() {
    return count;
  }

  /** The percentile {@code p} (0-100), in milliseconds. */
  public double percentileMs(double p) {
    if (!sorted) {
      Arrays.sort(values, 0, count);
      sorted = true;
    }
    return Stats.percentile(values, count, p) / 1e6;
  }

  /** The largest, in milliseconds. */
  public double maxMs() {
    return percentileMs(100);
  }
}
