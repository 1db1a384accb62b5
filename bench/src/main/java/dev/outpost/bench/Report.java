package dev.outpost.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The figures of one harness run: a table on the terminal, JSON and CSV in the results directory.
 */
public final class Report {

  private final Path directory;
  private final List<Figure> figures = new ArrayList<>();

  /** A report written into {@code directory}. */
  public Report(Path directory) {
    this.directory = directory;
  }

  /** Adds figures and rewrites the files, so a run cut short keeps what it measured. */
  public synchronized void add(List<Figure> more) {
    figures.addAll(more);
    more.forEach(f -> System.out.println(line(f) + "\n" + detailLine(f)));
    write();
  }

  /** The whole table. */
  public synchronized String table() {
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-9s %-46s %14s  %-34s %14s %8s  %s%n",
                "bench",
                "figure (median of runs)",
                "value",
                "baseline (same run)",
                "baseline",
                "ratio",
                "aim"));
    for (Figure f : figures) {
      out.append(line(f)).append('\n').append(detailLine(f)).append('\n');
    }
    return out.toString();
  }

  private static String line(Figure f) {
    return String.format(
        Locale.ROOT,
        "%-9s %-46s %14s  %-34s %14s %8s  %s",
        f.benchmark(),
        f.name(),
        value(f.median(), f.unit()),
        f.baseline(),
        f.baselineRuns().isEmpty() ? "-" : value(f.baselineMedian(), f.unit()),
        f.baselineRuns().isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", f.ratio()),
        f.aim());
  }

  private static String detailLine(Figure f) {
    String runs = f.runs().stream().map(v -> number(v)).collect(Collectors.joining(" "));
    String details =
        f.details().entrySet().stream()
            .map(e -> e.getKey() + " " + number(e.getValue()))
            .collect(Collectors.joining(", "));
    return "          runs: " + runs + (details.isEmpty() ? "" : "; " + details);
  }

  private static String value(double v, String unit) {
    return number(v) + " " + unit;
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    return a >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : a >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private void write() {
    JsonArray json = new JsonArray();
    StringBuilder csv =
        new StringBuilder(
            "benchmark,figure,unit,median,runs,baseline,baseline_median,baseline_runs,ratio,aim,details\n");
    for (Figure f : figures) {
      JsonObject details = new JsonObject();
      f.details().forEach(details::put);
      json.add(
          new JsonObject()
              .put("benchmark", f.benchmark())
              .put("figure", f.name())
              .put("unit", f.unit())
              .put("median", finite(f.median()))
              .put("runs", new JsonArray(new ArrayList<>(f.runs())))
              .put("baseline", f.baseline())
              .put("baseline_median", finite(f.baselineMedian()))
              .put("baseline_runs", new JsonArray(new ArrayList<>(f.baselineRuns())))
              .put("ratio", finite(f.ratio()))
              .put("aim", f.aim())
              .put("details", details));
      csv.append(
              String.join(
                  ",",
                  List.of(
                      quote(f.benchmark()),
                      quote(f.name()),
                      quote(f.unit()),
                      plain(f.median()),
                      quote(joined(f.runs())),
                      quote(f.baseline()),
                      plain(f.baselineMedian()),
                      quote(joined(f.baselineRuns())),
                      plain(f.ratio()),
                      quote(f.aim()),
                      quote(
                          f.details().entrySet().stream()
                              .map(e -> e.getKey() + "=" + plain(e.getValue()))
                              .collect(Collectors.joining("; "))))))
          .append('\n');
    }
    try {
      Files.writeString(directory.resolve("results.json"), json.encodePrettily() + "\n");
      Files.writeString(directory.resolve("results.csv"), csv.toString());
      Files.writeString(directory.resolve("table.txt"), table());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String joined(List<Double> values) {
    return values.stream().map(Report::plain).collect(Collectors.joining(" "));
  }

  private static String plain(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\"", "\"\"") + "\"";
  }
}
