package dev.outpost.agent.simulate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * A load report as one self-contained HTML page: the summary table, the errors, and plots of the
 * rate, the latency percentiles and the errors over time drawn as inline SVG. It loads nothing from
 * anywhere; every text that came from outside (the server's error messages, names) is escaped.
 */
final class HtmlReport {

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };

  private static final int WIDTH = 900;
  private static final int HEIGHT = 260;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  /** One line of a plot: a value for each second, NaN where there is none. */
  record Series(String name, double[] values) {}

  private HtmlReport() {}

  static String render(LoadReport report) {
    LoadReport.Run run = report.run();
    LoadReport.Totals t = report.totals();
    Histogram h = report.histogram();
    StringBuilder out = new StringBuilder(64 * 1024);
    String title = "Load test: " + run.scenario();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(
            "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
                + "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums}h2{margin-top:1.5em}"
                + "svg{display:block;margin:1em 0}.note{color:#555;max-width:60em}")
        .append("</style></head><body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n");

    out.append("<h2>Run</h2><table>");
    row(out, "model", run.model());
    row(out, "agents", Long.toString(run.agents()));
    row(out, "shards", String.join(", ", run.shards()));
    row(out, "server", run.server());
    row(out, "started", Instant.ofEpochMilli(run.startedMillis()).toString());
    row(out, "ended", Instant.ofEpochMilli(run.endedMillis()).toString());
    row(out, "duration", fmt(run.seconds()) + " s");
    out.append("</table>\n");

    out.append("<h2>Summary</h2><table>");
    num(out, "exchanges that succeeded", t.exchanges());
    num(out, "exchanges that failed or were not sent", t.errors());
    if (t.target() > 0) {
      num(out, "exchanges the schedule made due (target)", t.target());
    }
    row(out, "exchanges per second (mean)", fmt(t.exchanges() / run.seconds()), true);
    row(out, "latency p50", fmt(LoadReport.millis(h, 50)) + " ms", true);
    row(out, "latency p90", fmt(LoadReport.millis(h, 90)) + " ms", true);
    row(out, "latency p99", fmt(LoadReport.millis(h, 99)) + " ms", true);
    row(out, "latency p99.9", fmt(LoadReport.millis(h, 99.9)) + " ms", true);
    row(out, "latency max", fmt(LoadReport.maxMillis(h)) + " ms", true);
    num(out, "agents registered", t.registered());
    num(out, "operations answered", t.answered());
    num(out, "operations failed (simulated)", t.failedOperations());
    num(out, "results acknowledged by the server", t.resultsSent());
    t.reportsSent().forEach((type, n) -> num(out, "reports sent: " + type, n));
    t.reportsNotAccepted()
        .forEach((type, n) -> num(out, "reports not sent (type not accepted): " + type, n));
    out.append("</table>\n<p class=\"note\">")
        .append(
            "Latency is the time from when an exchange was meant to start to its answer. In the"
                + " open model an exchange is meant to start when the schedule makes it due, so one"
                + " that waited for a free agent or connection counts the wait (no coordinated"
                + " omission); in the closed model it starts when the agent starts it. Only"
                + " exchanges that succeeded are in the percentiles.")
        .append("</p>\n");

    if (!t.errorKinds().isEmpty()) {
      out.append("<h2>Errors</h2><table><tr><th>kind</th><th>count</th><th>example</th></tr>");
      t.errorKinds()
          .forEach(
              (kind, n) ->
                  out.append("<tr><td>")
                      .append(esc(kind))
                      .append("</td><td class=\"n\">")
                      .append(n)
                      .append("</td><td>")
                      .append(esc(t.errorSamples().getOrDefault(kind, "")))
                      .append("</td></tr>"));
      out.append("</table>\n");
    }

    List<LoadReport.Second> seconds = report.seconds();
    int n = seconds.size();
    double[] rate = new double[n];
    double[] target = new double[n];
    double[] p50 = new double[n];
    double[] p99 = new double[n];
    double[] max = new double[n];
    Set<String> kinds = new TreeSet<>();
    seconds.forEach(s -> kinds.addAll(s.errors().keySet()));
    boolean hasTarget = false;
    for (int i = 0; i < n; i++) {
      LoadReport.Second s = seconds.get(i);
      rate[i] = s.exchanges();
      target[i] = s.target();
      hasTarget |= s.target() > 0;
      boolean any = s.exchanges() > 0;
      p50[i] = any ? s.p50Ms() : Double.NaN;
      p99[i] = any ? s.p99Ms() : Double.NaN;
      max[i] = any ? s.maxMs() : Double.NaN;
    }
    List<Series> rates = new ArrayList<>();
    rates.add(new Series("succeeded", rate));
    if (hasTarget) {
      rates.add(new Series("target", target));
    }
    out.append("<h2>Exchanges per second</h2>\n").append(chart(rates, "exchanges/s", false));
    out.append("<h2>Latency</h2>\n")
        .append(
            chart(
                List.of(new Series("p50", p50), new Series("p99", p99), new Series("max", max)),
                "ms (log scale)",
                true));
    List<Series> errors = new ArrayList<>();
    for (String kind : kinds) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = seconds.get(i).errors().getOrDefault(kind, 0L);
      }
      errors.add(new Series(kind, v));
    }
    if (errors.isEmpty()) {
      errors.add(new Series("errors", new double[n]));
    }
    out.append("<h2>Errors per second</h2>\n").append(chart(errors, "errors/s", false));
    out.append(
            "<p class=\"note\">The same figures are in the JSON and CSV files next to this page.")
        .append("</p>\n</body></html>\n");
    return out.toString();
  }

  /** A line chart of values, one a second, as an SVG element. */
  static String chart(List<Series> series, String unit, boolean log) {
    int n = series.stream().mapToInt(s -> s.values().length).max().orElse(0);
    double hi = 0;
    double lo = Double.MAX_VALUE;
    for (Series s : series) {
      for (double v : s.values()) {
        if (!Double.isNaN(v)) {
          hi = Math.max(hi, v);
          if (v > 0) {
            lo = Math.min(lo, v);
          }
        }
      }
    }
    double yMin;
    double yMax;
    List<Double> ticks = new ArrayList<>();
    if (log) {
      double top = hi > 0 ? Math.ceil(Math.log10(hi)) : 1;
      double bottom = lo == Double.MAX_VALUE ? 0 : Math.floor(Math.log10(lo));
      if (top <= bottom) {
        top = bottom + 1;
      }
      yMin = bottom;
      yMax = top;
      for (double d = bottom; d <= top; d++) {
        ticks.add(d);
      }
    } else {
      double step = niceStep(hi <= 0 ? 1 : hi / 5);
      yMin = 0;
      yMax = Math.max(step, Math.ceil(hi / step) * step);
      for (double v = 0; v <= yMax + step / 2; v += step) {
        ticks.add(v);
      }
    }
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    double xScale = plotW / (double) Math.max(1, n - 1);
    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    + "viewBox=\"0 0 %d %d\" font-size=\"11\" role=\"img\">",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT))
        .append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
                    + "stroke=\"#ccc\"/>",
                LEFT,
                TOP,
                plotW,
                plotH));
    for (double tick : ticks) {
      double y = TOP + plotH - (tick - yMin) / (yMax - yMin) * plotH;
      String label = log ? fmt(Math.pow(10, tick)) : fmt(tick);
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>",
                  LEFT,
                  LEFT + plotW,
                  y,
                  y))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                  LEFT - 6,
                  y + 4,
                  esc(label)));
    }
    double xStep = niceStep(Math.max(1, n / 8.0));
    for (double x = 0; x < n; x += xStep) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
              LEFT + x * xScale,
              TOP + plotH + 16,
              fmt(x)));
    }
    svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds from the start</text>",
                LEFT + plotW / 2,
                HEIGHT - 6))
        .append(
            String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", 4, TOP - 12, esc(unit)));
    int legendX = LEFT + 120;
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = COLORS[i % COLORS.length];
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>",
                  legendX,
                  TOP - 16,
                  color))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%d\" y=\"%d\">%s</text>",
                  legendX + 16,
                  TOP - 11,
                  esc(s.name())));
      legendX += 30 + 7 * s.name().length();
      StringBuilder points = new StringBuilder();
      for (int x = 0; x < s.values().length; x++) {
        double v = s.values()[x];
        boolean gap = Double.isNaN(v) || (log && v <= 0);
        if (gap) {
          line(svg, points, color);
          continue;
        }
        double scaled = log ? Math.log10(v) : v;
        double y = TOP + plotH - (scaled - yMin) / (yMax - yMin) * plotH;
        y = Math.max(TOP, Math.min(TOP + plotH, y));
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + x * xScale, y));
      }
      line(svg, points, color);
    }
    return svg.append("</svg>\n").toString();
  }

  private static void line(StringBuilder svg, StringBuilder points, String color) {
    if (points.length() > 0) {
      svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
          .append(color)
          .append("\" points=\"")
          .append(points.toString().strip())
          .append("\"/>");
      points.setLength(0);
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
  static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= rough) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static void row(StringBuilder out, String name, String value) {
    row(out, name, value, false);
  }

  private static void row(StringBuilder out, String name, String value, boolean number) {
    out.append("<tr><th>")
        .append(esc(name))
        .append(number ? "</th><td class=\"n\">" : "</th><td>")
        .append(esc(value))
        .append("</td></tr>");
  }

  private static void num(StringBuilder out, String name, long value) {
    row(out, name, Long.toString(value), true);
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(
        Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 1 ? "%.2f" : "%.3f", v);
  }

  /** Text made safe inside HTML elements and quoted attributes. */
  static String esc(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
