package dev.outpost.bench.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians and percentiles. */
public final class Stats {

  private Stats() {}

  /** The median of the values (the mean of the middle two for an even count). */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The nearest-rank percentile {@code p} (0-100) of sorted values. */
  public static long percentile(long[] sorted, int count, double p) {
    if (count == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
  }
}
