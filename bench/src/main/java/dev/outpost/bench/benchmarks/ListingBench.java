package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.Http;
import dev.outpost.bench.support.Latencies;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.Sequential;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * 4. Listing: {@code GET /api/v2/activities?query=status:failed type:ExecuteScriptRequest} on a
 * table of N generated activities, the first page and a deep one (by offset, and by keyset when the
 * server pages with {@code before}), one request at a time; against the raw SQL of an indexed page
 * sent by the same kind of client.
 */
public final class ListingBench implements Benchmark {

  private static final String QUERY = "status:failed type:ExecuteScriptRequest";
  private static final int PAGE = 100;
  private static final int DEEP = 100_000;

  /** A run of one case stops early past this, so a slow listing cannot hold the harness up. */
  private static final double MAX_SECONDS = 30;

  private static final String RAW_FIRST =
      """
      SELECT * FROM activities
       WHERE account_id = $1 AND status = 'failed' AND type = 'ExecuteScriptRequest'
       ORDER BY id DESC LIMIT 100
      """;
  private static final String RAW_BEFORE =
      """
      SELECT * FROM activities
       WHERE account_id = $1 AND status = 'failed' AND type = 'ExecuteScriptRequest' AND id < $2
       ORDER BY id DESC LIMIT 100
      """;

  /** One kind of request, timed over HTTP and against its raw SQL. */
  private record Case(
      String name, Supplier<Future<Boolean>> http, Supplier<Future<Boolean>> raw, String rawName) {}

  @Override
  public String name() {
    return "listing";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    long rows = ctx.config().listingRows();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "listing")) {
      // the rows go in before the server starts: its sweeps would read the table while its
      // indexes are being rebuilt
      db.migrate();
      long account = ListingData.account(db);
      long start = System.nanoTime();
      ListingData.generate(db, account, rows);
      double generated = (System.nanoTime() - start) / 1e9;
      // the offset case pages deeper than the server allows by default (10,000): it measures
      // what a deep offset costs beside the keyset page
      try (OutpostProcess server =
          OutpostProcess.start(
              ctx,
              db,
              "listing-server",
              Map.of("OUTPOST_MAX_OFFSET", String.valueOf(DEEP)),
              List.of())) {
        measure(ctx, report, db, server, account, rows, generated);
      }
    }
  }

  private void measure(
      Context ctx,
      Report report,
      BenchDatabase db,
      OutpostProcess server,
      long account,
      long rows,
      double generated)
      throws Exception {
    long matches =
        db.queryLong(
            "SELECT count(*) FROM activities WHERE account_id = "
                + account
                + " AND status = 'failed' AND type = 'ExecuteScriptRequest'");
    int deep = (int) Math.min(DEEP, matches / 2 / PAGE * PAGE);
    long before =
        db.queryLong(
            "SELECT id FROM activities WHERE account_id = "
                + account
                + " AND status = 'failed' AND type = 'ExecuteScriptRequest' ORDER BY id DESC OFFSET "
                + (deep - 1)
                + " LIMIT 1");
    System.out.printf(
        "  %,d activities generated in %.0f s; %,d match '%s'; deep page at"
            + " %,d (before id %d)%n",
        rows, generated, matches, QUERY, deep, before);
    Pool pool = db.pool(ctx.vertx(), 1);
    try (Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1)) {
      String first =
          "/api/v2/activities?query="
              + URLEncoder.encode(QUERY, StandardCharsets.UTF_8).replace("+", "%20");
      JsonObject page = http.await(HttpMethod.GET, first, null).body().toJsonObject();
      boolean keyset = page.containsKey("next");
      Supplier<Future<Boolean>> rawFirst = raw(pool, RAW_FIRST, Tuple.of(account));
      Supplier<Future<Boolean>> rawDeep = raw(pool, RAW_BEFORE, Tuple.of(account, before));
      List<Case> cases = new ArrayList<>();
      cases.add(new Case("first page", get(http, first), rawFirst, "raw SQL, first page"));
      cases.add(
          new Case(
              "page at offset " + deep,
              get(http, first + "&offset=" + deep),
              rawDeep,
              "raw SQL, keyset page as deep"));
      if (keyset) {
        cases.add(
            new Case(
                "first page, count=false",
                get(http, first + "&count=false"),
                rawFirst,
                "raw SQL, first page"));
        cases.add(
            new Case(
                "keyset page " + deep + " deep (before=)",
                get(http, first + "&count=false&before=" + before),
                rawDeep,
                "raw SQL, keyset page as deep"));
      }
      int requests = ctx.config().listingRequests();
      warmUp(cases, requests, ctx.config().warmupSeconds());
      Map<String, List<double[]>> measured = new LinkedHashMap<>();
      for (int run = 1; run <= ctx.config().runs(); run++) {
        for (Case c : cases) {
          Latencies overHttp = Sequential.time(requests, MAX_SECONDS, c.http());
          Latencies rawSql = Sequential.time(requests, MAX_SECONDS, c.raw());
          System.out.printf(
              "  run %d %s: %d over http p50 %.2f p99 %.2f ms; raw p50 %.2f p99" + " %.2f ms%n",
              run,
              c.name(),
              overHttp.count(),
              overHttp.percentileMs(50),
              overHttp.percentileMs(99),
              rawSql.percentileMs(50),
              rawSql.percentileMs(99));
          measured
              .computeIfAbsent(c.name(), k -> new ArrayList<>())
              .add(
                  new double[] {
                    overHttp.percentileMs(50),
                    overHttp.percentileMs(99),
                    rawSql.percentileMs(50),
                    rawSql.percentileMs(99),
                    overHttp.count()
                  });
        }
      }
      List<Figure> figures = new ArrayList<>();
      for (Case c : cases) {
        List<double[]> runs = measured.get(c.name());
        figures.add(
            Figure.of(name(), c.name() + " p99 over HTTP", "ms")
                .runs(column(runs, 1))
                .baseline(c.rawName() + " p99", column(runs, 3))
                .aim("p99 < 5 ms")
                .detail("http_p50_ms", column(runs, 0))
                .detail("raw_p50_ms", column(runs, 2))
                .detail("http_requests_per_run", column(runs, 4))
                .detail("rows", rows)
                .detail("matches", matches)
                .detail("generation_s", generated)
                .build());
      }
      report.add(figures);
    } finally {
      pool.close();
    }
  }

  /**
   * Sends every case in turn for {@code seconds} in all (one round at least): a server just started
   * compiles its hot paths for tens of seconds, on the cores the requests need, and the measured
   * runs are of a server that has been up.
   */
  private static void warmUp(List<Case> cases, int requests, int seconds) {
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    double perCase = Math.max(1.0, (double) seconds / cases.size() / 2);
    int rounds = 0;
    do {
      for (Case c : cases) {
        Sequential.time(requests, perCase, c.http());
        Sequential.time(requests, perCase, c.raw());
      }
      rounds++;
    } while (System.nanoTime() < until);
    System.out.printf("  warmed up: %d rounds of every case in %d s at least%n", rounds, seconds);
  }

  private static Supplier<Future<Boolean>> get(Http http, String uri) {
    return () -> http.send(HttpMethod.GET, uri, null).map(answer -> answer.status() == 200);
  }

  private static Supplier<Future<Boolean>> raw(Pool pool, String sql, Tuple params) {
    return () -> pool.preparedQuery(sql).execute(params).map(rows -> rows.size() > 0);
  }

  private static List<Double> column(List<double[]> runs, int index) {
    return runs.stream().map(r -> r[index]).toList();
  }
}
