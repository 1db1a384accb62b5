package dev.outpost.bench;

import dev.outpost.bench.support.Stats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured figure: the median of its runs, the baseline measured in the same run of the
 * harness, and their ratio (figure / baseline).
 *
 * @param benchmark the benchmark it belongs to
 * @param name what was measured
 * @param unit the unit of the values
 * @param runs the value of each measured run
 * @param baseline what the figure is compared with
 * @param baselineRuns the baseline's value in each of its measured runs
 * @param aim the goal, as text
 * @param details further medians worth keeping (latencies, CPU, memory)
 */
public record Figure(
    String benchmark,
    String name,
    String unit,
    List<Double> runs,
    String baseline,
    List<Double> baselineRuns,
    String aim,
    Map<String, Double> details) {

  /** The median of the runs. */
  public double median() {
    return Stats.median(runs);
  }

  /** The median of the baseline's runs. */
  public double baselineMedian() {
    return Stats.median(baselineRuns);
  }

  /** Figure over baseline. */
  public double ratio() {
    return median() / baselineMedian();
  }

  /** Builds a figure field by field. */
  public static Builder of(String benchmark, String name, String unit) {
    return new Builder(benchmark, name, unit);
  }

  /** A figure being put together. */
  public static final class Builder {
    private final String benchmark;
    private final String name;
    private final String unit;
    private List<Double> runs = List.of();
    private String baseline = "";
    private List<Double> baselineRuns = List.of();
    private String aim = "";
    private final Map<String, Double> details = new LinkedHashMap<>();

    private Builder(String benchmark, String name, String unit) {
      this.benchmark = benchmark;
      this.name = name;
      this.unit = unit;
    }

    public Builder runs(List<Double> values) {
      this.runs = List.copyOf(values);
      return this;
    }

    public Builder baseline(String what, List<Double> values) {
      this.baseline = what;
      this.baselineRuns = List.copyOf(values);
      return this;
    }

    public Builder aim(String text) {
      this.aim = text;
      return this;
    }

    /** A detail kept as the median of its per-run values. */
    public Builder detail(String key, List<Double> perRun) {
      details.put(key, Stats.median(perRun));
      return this;
    }

    public Builder detail(String key, double value) {
      details.put(key, value);
      return this;
    }

    public Figure build() {
      return new Figure(benchmark, name, unit, runs, baseline, baselineRuns, aim, details);
    }
  }
}
