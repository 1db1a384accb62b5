package dev.outpost.agent.simulate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The figures of a load test: what ran, the totals, the latency histogram of every exchange, and a
 * row a second. Written as JSON (with each histogram in HdrHistogram's compressed form, so shards
 * can be merged), CSV and a self-contained HTML page ({@link HtmlReport}).
 */
public record LoadReport(Run run, Totals totals, Histogram histogram, List<Second> seconds) {

  /** The format named in the JSON. */
  public static final String FORMAT = "outpost-load-report/1";

  /**
   * What ran.
   *
   * @param model {@code closed} or {@code open}; {@code mixed} for shards of both
   * @param agents simulated agents, in all shards
   * @param shards the shards, {@code i/n}; {@code 1/1} when the run was not sharded
   * @param scenario the scenario's name
   * @param server the exchange URL
   * @param startedMillis when it started (ms since the epoch)
   * @param endedMillis when it ended
   */
  public record Run(
      String model,
      long agents,
      List<String> shards,
      String scenario,
      String server,
      long startedMillis,
      long endedMillis) {

    /** Seconds from start to end. */
    public double seconds() {
      return Math.max(0.001, (endedMillis - startedMillis) / 1000.0);
    }
  }

  /**
   * The totals.
   *
   * @param exchanges exchanges that succeeded
   * @param errors exchanges that failed, and those of the open model's schedule not sent
   * @param target exchanges the open model's schedule made due (0 in the closed model)
   * @param registered agents that registered
   * @param answered operations answered
   * @param failedOperations of them, answered with a failure
   * @param resultsSent replies the server acknowledged
   * @param errorKinds errors by kind
   * @param errorSamples one message of each kind, as it came (from the server, maybe)
   * @param reportsSent reports queued, by type
   * @param reportsNotAccepted reports not queued because the server does not accept their type
   */
  public record Totals(
      long exchanges,
      long errors,
      long target,
      long registered,
      long answered,
      long failedOperations,
      long resultsSent,
      Map<String, Long> errorKinds,
      Map<String, String> errorSamples,
      Map<String, Long> reportsSent,
      Map<String, Long> reportsNotAccepted) {}

  /**
   * One second of the run.
   *
   * @param epochSecond which second
   * @param exchanges exchanges that succeeded in it
   * @param target exchanges the open model's schedule made due in it
   * @param errors failed exchanges by kind
   * @param p50Ms its median latency
   * @param p99Ms its 99th percentile
   * @param maxMs its largest
   * @param compressed its latencies, in microseconds: a histogram in HdrHistogram's compressed form
   *     (a few hundred bytes, where the histogram itself is tens of kilobytes)
   */
  public record Second(
      long epochSecond,
      long exchanges,
      long target,
      Map<String, Long> errors,
      double p50Ms,
      double p99Ms,
      double maxMs,
      byte[] compressed) {

    static Second of(
        long epochSecond, long exchanges, long target, Map<String, Long> errors, Histogram h) {
      return new Second(
          epochSecond,
          exchanges,
          target,
          Map.copyOf(errors),
          millis(h, 50),
          millis(h, 99),
          maxMillis(h),
          encodeBytes(h));
    }

    /** Its latencies, in microseconds. */
    public Histogram histogram() {
      return decode(compressed);
    }

    /** Failed exchanges in the second. */
    public long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** A latency percentile of the histogram, in milliseconds. */
  public static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The largest latency, in milliseconds. */
  public static double maxMillis(Histogram h) {
    return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
  }

  /** The JSON form. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("format", FORMAT);
    json.put(
        "run",
        new JsonObject()
            .put("model", run.model())
            .put("agents", run.agents())
            .put("shards", new JsonArray(List.copyOf(run.shards())))
            .put("scenario", run.scenario())
            .put("server", run.server())
            .put("started", Instant.ofEpochMilli(run.startedMillis()).toString())
            .put("ended", Instant.ofEpochMilli(run.endedMillis()).toString())
            .put("seconds", run.seconds()));
    json.put(
        "totals",
        new JsonObject()
            .put("exchanges", totals.exchanges())
            .put("errors", totals.errors())
            .put("target", totals.target())
            .put("exchanges_per_second", totals.exchanges() / run.seconds())
            .put("registered", totals.registered())
            .put("operations_answered", totals.answered())
            .put("operations_failed", totals.failedOperations())
            .put("results_sent", totals.resultsSent())
            .put("errors_by_kind", new JsonObject(new TreeMap<>(totals.errorKinds())))
            .put("error_samples", new JsonObject(new TreeMap<>(totals.errorSamples())))
            .put("reports_sent", new JsonObject(new TreeMap<>(totals.reportsSent())))
            .put(
                "reports_not_accepted",
                new JsonObject(new TreeMap<>(totals.reportsNotAccepted()))));
    json.put("latency_ms", latency(histogram));
    json.put("histogram", encode(histogram));
    JsonArray rows = new JsonArray();
    for (Second s : seconds) {
      rows.add(
          new JsonObject()
              .put("t", s.epochSecond())
              .put("exchanges", s.exchanges())
              .put("target", s.target())
              .put("errors", new JsonObject(new TreeMap<>(s.errors())))
              .put("p50_ms", s.p50Ms())
              .put("p99_ms", s.p99Ms())
              .put("max_ms", s.maxMs())
              .put("histogram", Base64.getEncoder().encodeToString(s.compressed())));
    }
    json.put("seconds", rows);
    return json;
  }

  private static JsonObject latency(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0)
        .put("p50", millis(h, 50))
        .put("p90", millis(h, 90))
        .put("p99", millis(h, 99))
        .put("p99_9", millis(h, 99.9))
        .put("max", maxMillis(h));
  }

  /** Reads the JSON form back, for merging. */
  public static LoadReport fromJson(JsonObject json) {
    if (!FORMAT.equals(json.getString("format"))) {
      throw new IllegalArgumentException(
          "not a load report of this simulator (format " + json.getString("format") + ")");
    }
    JsonObject r = json.getJsonObject("run");
    Run run =
        new Run(
            r.getString("model"),
            r.getLong("agents"),
            r.getJsonArray("shards").stream().map(String::valueOf).toList(),
            r.getString("scenario"),
            r.getString("server"),
            Instant.parse(r.getString("started")).toEpochMilli(),
            Instant.parse(r.getString("ended")).toEpochMilli());
    JsonObject t = json.getJsonObject("totals");
    Totals totals =
        new Totals(
            t.getLong("exchanges"),
            t.getLong("errors"),
            t.getLong("target"),
            t.getLong("registered"),
            t.getLong("operations_answered"),
            t.getLong("operations_failed"),
            t.getLong("results_sent"),
            longs(t.getJsonObject("errors_by_kind")),
            texts(t.getJsonObject("error_samples")),
            longs(t.getJsonObject("reports_sent")),
            longs(t.getJsonObject("reports_not_accepted")));
    List<Second> seconds = new ArrayList<>();
    for (Object o : json.getJsonArray("seconds")) {
      JsonObject s = (JsonObject) o;
      seconds.add(
          Second.of(
              s.getLong("t"),
              s.getLong("exchanges"),
              s.getLong("target"),
              longs(s.getJsonObject("errors")),
              decode(s.getString("histogram"))));
    }
    return new LoadReport(run, totals, decode(json.getString("histogram")), seconds);
  }

  /** The shards' reports as one: counts summed, histograms added, seconds lined up by time. */
  public static LoadReport merge(List<LoadReport> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    Set<String> models = new LinkedHashSet<>();
    List<String> shards = new ArrayList<>();
    Set<String> servers = new LinkedHashSet<>();
    long agents = 0;
    long started = Long.MAX_VALUE;
    long ended = Long.MIN_VALUE;
    Histogram all = new Histogram(FleetStats.DIGITS);
    TreeMap<Long, Second> bySecond = new TreeMap<>();
    long[] sums = new long[7];
    Map<String, Long> kinds = new TreeMap<>();
    Map<String, String> samples = new TreeMap<>();
    Map<String, Long> sent = new TreeMap<>();
    Map<String, Long> notAccepted = new TreeMap<>();
    for (LoadReport p : parts) {
      models.add(p.run().model());
      shards.addAll(p.run().shards());
      servers.add(p.run().server());
      agents += p.run().agents();
      started = Math.min(started, p.run().startedMillis());
      ended = Math.max(ended, p.run().endedMillis());
      all.add(p.histogram());
      Totals t = p.totals();
      long[] these = {
        t.exchanges(),
        t.errors(),
        t.target(),
        t.registered(),
        t.answered(),
        t.failedOperations(),
        t.resultsSent()
      };
      for (int i = 0; i < sums.length; i++) {
        sums[i] += these[i];
      }
      t.errorKinds().forEach((k, v) -> kinds.merge(k, v, Long::sum));
      t.errorSamples().forEach(samples::putIfAbsent);
      t.reportsSent().forEach((k, v) -> sent.merge(k, v, Long::sum));
      t.reportsNotAccepted().forEach((k, v) -> notAccepted.merge(k, v, Long::sum));
      for (Second s : p.seconds()) {
        bySecond.merge(s.epochSecond(), s, LoadReport::add);
      }
    }
    Run run =
        new Run(
            models.size() == 1 ? models.iterator().next() : "mixed",
            agents,
            shards,
            parts.get(0).run().scenario(),
            String.join(" ", servers),
            started,
            ended);
    Totals totals =
        new Totals(
            sums[0],
            sums[1],
            sums[2],
            sums[3],
            sums[4],
            sums[5],
            sums[6],
            kinds,
            samples,
            sent,
            notAccepted);
    return new LoadReport(run, totals, all, List.copyOf(bySecond.values()));
  }

  private static Second add(Second a, Second b) {
    Map<String, Long> errors = new TreeMap<>(a.errors());
    b.errors().forEach((k, v) -> errors.merge(k, v, Long::sum));
    Histogram h = a.histogram();
    h.add(b.histogram());
    return Second.of(
        a.epochSecond(), a.exchanges() + b.exchanges(), a.target() + b.target(), errors, h);
  }

  /** The time series as CSV: a row a second, a column for each error kind. */
  public String csv() {
    Set<String> kinds = new TreeSet<>();
    seconds.forEach(s -> kinds.addAll(s.errors().keySet()));
    StringBuilder out =
        new StringBuilder("time,elapsed_s,exchanges,target,errors,p50_ms,p99_ms,max_ms");
    kinds.forEach(k -> out.append(',').append(csvField("errors: " + k)));
    out.append('\n');
    long first = seconds.isEmpty() ? 0 : seconds.get(0).epochSecond();
    for (Second s : seconds) {
      out.append(Instant.ofEpochSecond(s.epochSecond()))
          .append(',')
          .append(s.epochSecond() - first)
          .append(',')
          .append(s.exchanges())
          .append(',')
          .append(s.target())
          .append(',')
          .append(s.errorCount())
          .append(',')
          .append(s.p50Ms())
          .append(',')
          .append(s.p99Ms())
          .append(',')
          .append(s.maxMs());
      kinds.forEach(k -> out.append(',').append(s.errors().getOrDefault(k, 0L)));
      out.append('\n');
    }
    return out.toString();
  }

  private static String csvField(String text) {
    return text.contains(",") || text.contains("\"") || text.contains("\n")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }

  /**
   * Writes {@code <base>.json}, {@code <base>.csv} and {@code <base>.html} in {@code dir}.
   *
   * @return the HTML file
   */
  public Path write(Path dir, String base) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve(base + ".json"), toJson().encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(base + ".csv"), csv(), StandardCharsets.UTF_8);
    Path html = dir.resolve(base + ".html");
    Files.writeString(html, HtmlReport.render(this), StandardCharsets.UTF_8);
    return html;
  }

  /** Reads a report's JSON file. */
  public static LoadReport read(Path file) throws IOException {
    try {
      return fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a load report: " + e.getMessage(), e);
    }
  }

  static String encode(Histogram h) {
    return Base64.getEncoder().encodeToString(encodeBytes(h));
  }

  static byte[] encodeBytes(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Arrays.copyOf(buffer.array(), length);
  }

  static Histogram decode(String text) {
    return decode(Base64.getDecoder().decode(text));
  }

  static Histogram decode(byte[] compressed) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(compressed), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("a histogram cannot be decoded: " + e.getMessage(), e);
    }
  }

  private static Map<String, Long> longs(JsonObject json) {
    Map<String, Long> out = new TreeMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).longValue()));
    }
    return out;
  }

  private static Map<String, String> texts(JsonObject json) {
    Map<String, String> out = new TreeMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return out;
  }
}
