package dev.outpost.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.outpost.agent.Main;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The report's forms, merging, and the open model's schedule. */
class LoadReportTest {

  /** Verifies that text from the server cannot break out of the page. */
  @Test
  void escapesWhatTheServerSaid() {
    String html =
        HtmlReport.render(
            report(
                "<b>sc</b>",
                Map.of("http 503", "exchange answered 503: <script>alert('x')</script> & \"more\""),
                List.of()));

    assertThat(html)
        .doesNotContain("<script>")
        .doesNotContain("<b>sc</b>")
        .contains(
            "exchange answered 503: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;"
                + " &quot;more&quot;")
        .contains("Load test: &lt;b&gt;sc&lt;/b&gt;")
        .doesNotContain("src=")
        .doesNotContain("href=");
  }

  /** Verifies that the JSON reads back as written, histograms and all. */
  @Test
  void jsonReadsBack(@TempDir Path dir) throws Exception {
    LoadReport report = report("s", Map.of(), List.of(second(100, 5, 1000), second(101, 7, 3000)));

    report.write(dir, "report");
    LoadReport back = LoadReport.read(dir.resolve("report.json"));

    assertThat(back.totals()).isEqualTo(report.totals());
    assertThat(back.histogram().getTotalCount()).isEqualTo(12);
    assertThat(back.seconds()).hasSize(2);
    assertThat(back.seconds().get(1).histogram().getTotalCount()).isEqualTo(7);
    assertThat(back.seconds().get(1).p50Ms()).isCloseTo(3.0, within(0.01));
    assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg").contains("</html>");
    List<String> csv = Files.readAllLines(dir.resolve("report.csv"));
    assertThat(csv.get(0)).startsWith("time,elapsed_s,exchanges,target,errors,p50_ms,p99_ms");
    assertThat(csv).hasSize(3);
    assertThat(csv.get(2)).contains(",1,7,");
  }

  /** Verifies that merging sums counts and adds histograms, second by second. */
  @Test
  void mergeSumsAndLinesUpSeconds() {
    LoadReport a = report("s", Map.of(), List.of(second(100, 5, 1000), second(101, 7, 3000)));
    LoadReport b = report("s", Map.of(), List.of(second(101, 1, 9000), second(102, 2, 1000)));

    LoadReport merged = LoadReport.merge(List.of(a, b));

    assertThat(merged.totals().exchanges()).isEqualTo(15);
    assertThat(merged.histogram().getTotalCount()).isEqualTo(15);
    assertThat(merged.seconds())
        .extracting(LoadReport.Second::epochSecond)
        .containsExactly(100L, 101L, 102L);
    assertThat(merged.seconds().get(1).exchanges()).isEqualTo(8);
    assertThat(merged.seconds().get(1).histogram().getTotalCount()).isEqualTo(8);
    assertThat(merged.seconds().get(1).maxMs()).isBetween(8.99, 9.01);
    assertThat(merged.run().agents()).isEqualTo(20);
    assertThat(merged.run().shards()).containsExactly("1/1", "1/1");
  }

  /**
   * Verifies that {@code simulate merge} reads shards' report.json files and writes the merged
   * report, and says which file is not a report.
   */
  @Test
  void mergeCommandWritesTheMergedReport(@TempDir Path dir) throws Exception {
    report("s", Map.of(), List.of(second(100, 5, 1000))).write(dir.resolve("a"), "report");
    report("s", Map.of(), List.of(second(101, 2, 1000))).write(dir.resolve("b"), "report");
    Files.writeString(dir.resolve("bad.json"), "{\"format\": \"something else\"}");
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new PrintWriter(new StringWriter()));

    int code =
        cli.execute(
            "simulate",
            "merge",
            dir.resolve("a/report.json").toString(),
            dir.resolve("b/report.json").toString(),
            "--report",
            dir.resolve("merged").toString());

    assertThat(code).isZero();
    LoadReport merged = LoadReport.read(dir.resolve("merged/report.json"));
    assertThat(merged.totals().exchanges()).isEqualTo(7);
    assertThat(merged.seconds()).hasSize(2);
    assertThat(dir.resolve("merged/report.html")).exists();
    assertThat(dir.resolve("merged/report.csv")).exists();
    assertThat(cli.execute("simulate", "merge", dir.resolve("bad.json").toString())).isEqualTo(2);
  }

  /** Verifies the open model's schedule: counts and the times exchanges are due. */
  @Test
  void theScheduleCountsExactly() {
    RateProfile p =
        new RateProfile(
            List.of(
                new RateProfile.Phase("ramp", 0, 10, 2), new RateProfile.Phase("hold", 10, 10, 3)));

    assertThat(p.count(2)).isEqualTo(10);
    assertThat(p.count(5)).isEqualTo(40);
    assertThat(p.timeOf(10)).isEqualTo(2.0);
    assertThat(p.timeOf(20)).isEqualTo(3.0);
    assertThat(p.timeOf(2.5)).isEqualTo(1.0);
    assertThat(p.rateAt(1)).isEqualTo(5);
    assertThat(new Shard(2, 3).takes(4)).isTrue();
    assertThat(Shard.parse("1/2")).isEqualTo(new Shard(1, 2));
  }

  /** Verifies that the report's JSON says what the README says it does. */
  @Test
  void jsonHasTheDocumentedKeys() {
    JsonObject json = report("s", Map.of(), List.of(second(100, 5, 1000))).toJson();

    assertThat(json.fieldNames())
        .containsExactly("format", "run", "totals", "latency_ms", "histogram", "seconds");
    assertThat(json.getJsonObject("latency_ms").getDouble("p50")).isCloseTo(1.0, within(0.01));
  }

  private static LoadReport.Second second(long t, int count, long micros) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(micros, count);
    return LoadReport.Second.of(t, count, count, Map.of(), h);
  }

  private static LoadReport report(
      String scenario, Map<String, String> samples, List<LoadReport.Second> seconds) {
    Histogram all = new Histogram(3);
    long exchanges = 0;
    for (LoadReport.Second s : seconds) {
      all.add(s.histogram());
      exchanges += s.exchanges();
    }
    Map<String, Long> kinds = new java.util.TreeMap<>();
    samples.keySet().forEach(k -> kinds.put(k, 1L));
    return new LoadReport(
        new LoadReport.Run(
            "open", 10, List.of("1/1"), scenario, "http://x/message-system", 0, 5000),
        new LoadReport.Totals(
            exchanges, kinds.size(), exchanges, 10, 0, 0, 0, kinds, samples, Map.of(), Map.of()),
        all,
        seconds);
  }
}
