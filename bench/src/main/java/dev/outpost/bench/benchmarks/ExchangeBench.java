package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.baseline.BaselineServer;
import dev.outpost.bench.exchange.ExchangeLoad;
import dev.outpost.bench.exchange.Fleet;
import dev.outpost.bench.exchange.Peer;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.ClosedLoop;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.Usage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * 1. Exchange throughput and latency: one server and its PostgreSQL against fleets of peers
 * exchanging as fast as the server answers, each exchange carrying one result and receiving one new
 * activity; against a plain Vert.x POST route and the route plus one transaction, measured in the
 * same run with the same load generator.
 */
public final class ExchangeBench implements Benchmark {

  @Override
  public String name() {
    return "exchange";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int concurrency = ctx.config().concurrency();
    int largest = ctx.config().exchangeAgents().stream().max(Integer::compare).orElse(1000);
    Map<String, Measured> baselines;
    // the baseline routes' tables live apart: the server migrates only an empty database
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "exchange_baseline")) {
      baselines = baselines(ctx, db, concurrency, largest);
    }
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "exchange")) {
      Measured plain = baselines.get("plain");
      Measured tx = baselines.get("tx");
      Measured cte = baselines.get("cte");
      report.add(
          List.of(
              plain.figure(name(), "plain POST route", "req/s", "", null, "~55,000/s with wrk"),
              tx.figure(
                  name(),
                  "route + transaction (4 round trips)",
                  "req/s",
                  "plain POST route",
                  plain,
                  "~3,500/s"),
              cte.figure(
                  name(),
                  "route + the writes as one CTE",
                  "req/s",
                  "plain POST route",
                  plain,
                  "~4,800/s")));
      try (OutpostProcess server =
          OutpostProcess.start(ctx, db, "exchange-server", Map.of(), List.of())) {
        long account = Fleet.accountId(db);
        Pool pool = db.pool(ctx.vertx(), 2);
        try {
          for (int agents : ctx.config().exchangeAgents()) {
            Measured outpost =
                fleet(ctx, db, server, pool, account, agents, Math.min(concurrency, agents / 2));
            report.add(
                List.of(
                    outpost.figure(
                        name(),
                        "exchanges/s, " + agents + " agents",
                        "/s",
                        "route + transaction",
                        tx,
                        ">= 5000/s"),
                    outpost.latencyFigure(
                        name(),
                        "exchange p99, " + agents + " agents",
                        "route + transaction p99",
                        tx)));
          }
        } finally {
          pool.close();
        }
      }
    }
  }

  /** Warms up, then measures every run of a fleet of {@code agents} peers. */
  private static Measured fleet(
      Context ctx,
      BenchDatabase db,
      OutpostProcess server,
      Pool pool,
      long account,
      int agents,
      int concurrency)
      throws Exception {
    List<Peer> peers = Fleet.register(db, account, "agents" + agents, agents);
    Fleet.seed(db, account, peers);
    db.vacuum();
    Measured measured = new Measured();
    try (ExchangeLoad load =
        new ExchangeLoad(ctx.vertx(), server.port(), concurrency, peers, pool, account)) {
      // every peer once, so that each measured exchange carries the result of the last one
      ClosedLoop.Outcome first =
          ClosedLoop.run(ctx.vertx(), concurrency, Duration.ofHours(1), load.eachOnce());
      System.out.printf(
          "  %d agents: first exchange of each: %,.0f/s (%d failed)%n",
          agents, first.rate(), first.failed());
      ClosedLoop.run(
          ctx.vertx(),
          concurrency,
          Duration.ofSeconds(ctx.config().warmupSeconds()),
          load.roundRobin());
      load.awaitRefill();
      load.takeCounts();
      db.vacuum();
      for (int run = 1; run <= ctx.config().runs(); run++) {
        Usage usage = Usage.start(server.pid(), db::backendPids);
        ClosedLoop.Outcome outcome =
            ClosedLoop.run(
                ctx.vertx(),
                concurrency,
                Duration.ofSeconds(ctx.config().runSeconds()),
                load.roundRobin());
        Usage.Snapshot used = usage.stop();
        load.awaitRefill();
        long[] counts = load.takeCounts();
        db.vacuum();
        measured.add(outcome, used);
        measured.share("with_activity", (double) counts[1] / Math.max(1, counts[0]));
        measured.share("with_result", (double) counts[2] / Math.max(1, counts[0]));
        System.out.printf(
            "  %d agents run %d: %,.0f/s p50 %.1f ms p99 %.1f ms (%d failed);"
                + " server %.2f cores, db %.2f, generator %.2f, machine %.2f; %.0f%% brought an"
                + " activity, %.0f%% carried a result%n",
            agents,
            run,
            outcome.rate(),
            outcome.latencies().percentileMs(50),
            outcome.latencies().percentileMs(99),
            outcome.failed(),
            used.serverCores(),
            used.databaseCores(),
            used.generatorCores(),
            used.machineCores(),
            100.0 * counts[1] / Math.max(1, counts[0]),
            100.0 * counts[2] / Math.max(1, counts[0]));
      }
    }
    return measured;
  }

  /** The three baseline routes, each warmed up and measured like the exchange. */
  private static Map<String, Measured> baselines(
      Context ctx, BenchDatabase db, int concurrency, int rows) throws Exception {
    db.execute(
        "CREATE TABLE bench_counters (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)",
        "INSERT INTO bench_counters (id) SELECT generate_series(1, " + rows + ")",
        "CREATE TABLE bench_log (id bigserial PRIMARY KEY, counter_id int NOT NULL,"
            + " at timestamptz NOT NULL)");
    int port = ChildProcess.freePort();
    Map<String, Measured> measured = new LinkedHashMap<>();
    try (ChildProcess baseline = BaselineServer.start(ctx, db, "exchange-baseline", port)) {
      Buffer body = samplePayload();
      HttpClientAgent http =
          ctx.vertx()
              .createHttpClient(
                  new HttpClientOptions().setKeepAlive(true),
                  new PoolOptions().setHttp1MaxSize(concurrency));
      try {
        for (String route : List.of("plain", "tx", "cte")) {
          Supplier<Future<Boolean>> request = post(http, port, "/" + route, body, rows);
          ClosedLoop.run(
              ctx.vertx(), concurrency, Duration.ofSeconds(ctx.config().warmupSeconds()), request);
          Measured m = new Measured();
          for (int run = 1; run <= ctx.config().runs(); run++) {
            Usage usage = Usage.start(baseline.pid(), db::backendPids);
            ClosedLoop.Outcome outcome =
                ClosedLoop.run(
                    ctx.vertx(),
                    concurrency,
                    Duration.ofSeconds(ctx.config().runSeconds()),
                    request);
            m.add(outcome, usage.stop());
            System.out.printf(
                "  baseline /%s run %d: %,.0f/s p50 %.2f ms p99 %.2f ms%n",
                route,
                run,
                outcome.rate(),
                outcome.latencies().percentileMs(50),
                outcome.latencies().percentileMs(99));
          }
          measured.put(route, m);
        }
      } finally {
        http.close().toCompletionStage().toCompletableFuture().join();
      }
    }
    return measured;
  }

  /** An exchange payload carrying one result, so the baselines read a body of the same size. */
  private static Buffer samplePayload() {
    Peer peer = new Peer(1, "sample");
    peer.absorb(
        io.vertx.core.buffer.Buffer.buffer(
            dev.outpost.common.wire.Bpickle.encode(
                Map.of(
                    "server-api",
                    dev.outpost.common.wire.Bytes.of("3.3"),
                    "server-uuid",
                    dev.outpost.common.wire.Bytes.of("x"),
                    "messages",
                    List.of(Map.of("type", "execute-script", "operation-id", 1L))))));
    return peer.payload();
  }

  private static Supplier<Future<Boolean>> post(
      HttpClientAgent http, int port, String uri, Buffer body, int rows) {
    AtomicInteger next = new AtomicInteger();
    return () ->
        http.request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI(uri)
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader(
                        "X-Id", String.valueOf(1 + Math.floorMod(next.getAndIncrement(), rows))))
            .compose(request -> request.send(body))
            .compose(response -> response.body().map(b -> response.statusCode() == 200));
  }

  /** The runs of one load: rates, latencies, CPU and memory. */
  static final class Measured {
    final List<Double> rates = new ArrayList<>();
    final List<Double> p50 = new ArrayList<>();
    final List<Double> p99 = new ArrayList<>();
    final Map<String, List<Double>> usage = new LinkedHashMap<>();

    void add(ClosedLoop.Outcome outcome, Usage.Snapshot used) {
      rates.add(outcome.rate());
      p50.add(outcome.latencies().percentileMs(50));
      p99.add(outcome.latencies().percentileMs(99));
      share("server_cores", used.serverCores());
      share("server_rss_mib", used.serverRssMib());
      share("db_cores", used.databaseCores());
      share("generator_cores", used.generatorCores());
      share("machine_cores", used.machineCores());
    }

    void share(String key, double value) {
      usage.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    Figure figure(
        String bench,
        String name,
        String unit,
        String baselineName,
        Measured baseline,
        String aim) {
      Figure.Builder f =
          Figure.of(bench, name, unit)
              .runs(rates)
              .aim(aim)
              .detail("p50_ms", p50)
              .detail("p99_ms", p99);
      if (baseline != null) {
        f.baseline(baselineName, baseline.rates);
      }
      usage.forEach(f::detail);
      return f.build();
    }

    Figure latencyFigure(String bench, String name, String baselineName, Measured baseline) {
      return Figure.of(bench, name, "ms")
          .runs(p99)
          .baseline(baselineName, baseline.p99)
          .aim("-")
          .detail("p50_ms", p50)
          .detail("baseline_p50_ms", baseline.p50)
          .build();
    }
  }
}
