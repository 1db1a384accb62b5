package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Report;
import dev.outpost.bench.baseline.BaselineServer;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.ClosedLoop;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.SimulatedFleet;
import dev.outpost.bench.support.Usage;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * 11. Pings: a fleet that pings every 30 s, as the Landscape Client does by default, makes /ping
 * the server's most frequent request (100,000 computers: 3,333 a second). Every computer of the
 * fleet pings in turn, as fast as the server answers; one in a hundred has a message waiting, and
 * an answer counts only when it says so for exactly those. Against the same ping as one statement
 * per ping, on the same database and routes ({@link BaselineServer}), the two measured in alternate
 * runs.
 */
public final class PingBench implements Benchmark {

  /** One computer in this many has a message waiting. */
  private static final int WAITING_EVERY = 100;

  @Override
  public String name() {
    return "ping";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int computers = ctx.config().pingComputers();
    int concurrency = ctx.config().concurrency();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "ping");
        OutpostProcess server = OutpostProcess.start(ctx, db, "ping-server", Map.of(), List.of())) {
      SimulatedFleet.register(db, "ping", computers, ctx.results().resolve("ping.identities"));
      List<Long> ids =
          db.queryLongs("SELECT id FROM computers WHERE title LIKE 'ping-%' ORDER BY id");
      db.execute(
          "INSERT INTO outgoing_messages (computer_id, message, created_at)"
              + " SELECT id, '\\x00'::bytea, now() FROM computers"
              + " WHERE title LIKE 'ping-%' AND id % "
              + WAITING_EVERY
              + " = 0");
      Set<Long> waiting =
          new HashSet<>(
              db.queryLongs(
                  "SELECT DISTINCT computer_id FROM outgoing_messages"
                      + " JOIN computers c ON c.id = computer_id WHERE c.title LIKE 'ping-%'"));
      db.vacuum();
      int port = ChildProcess.freePort();
      try (ChildProcess baseline = BaselineServer.start(ctx, db, "ping-baseline", port)) {
        HttpClientAgent http =
            ctx.vertx()
                .createHttpClient(
                    new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(concurrency));
        try {
          Supplier<Future<Boolean>> outpostPing = ping(http, server.port(), ids, waiting);
          Supplier<Future<Boolean>> baselinePing = ping(http, port, ids, waiting);
          Duration warmup = Duration.ofSeconds(ctx.config().warmupSeconds());
          ClosedLoop.run(ctx.vertx(), concurrency, warmup, outpostPing);
          ClosedLoop.run(ctx.vertx(), concurrency, warmup, baselinePing);
          ExchangeBench.Measured outpost = new ExchangeBench.Measured();
          ExchangeBench.Measured oneStatement = new ExchangeBench.Measured();
          Duration run = Duration.ofSeconds(ctx.config().runSeconds());
          for (int i = 1; i <= ctx.config().runs(); i++) {
            measure(
                oneStatement,
                ctx,
                db,
                baseline.pid(),
                "one statement per ping",
                i,
                baselinePing,
                run);
            measure(outpost, ctx, db, server.pid(), "outpost", i, outpostPing, run);
          }
          report.add(
              List.of(
                  outpost.figure(
                      name(),
                      "pings/s, " + computers + " computers",
                      "/s",
                      "one statement per ping",
                      oneStatement,
                      ">= 3,333/s (100,000 computers every 30 s)"),
                  outpost.latencyFigure(
                      name(),
                      "ping p99, " + computers + " computers",
                      "one statement per ping p99",
                      oneStatement)));
        } finally {
          http.close().toCompletionStage().toCompletableFuture().join();
        }
      }
    }
  }

  /** One measured run, added to {@code into}. */
  private static void measure(
      ExchangeBench.Measured into,
      Context ctx,
      BenchDatabase db,
      long pid,
      String what,
      int run,
      Supplier<Future<Boolean>> ping,
      Duration duration)
      throws Exception {
    Usage usage = Usage.start(pid, db::backendPids);
    ClosedLoop.Outcome outcome =
        ClosedLoop.run(ctx.vertx(), ctx.config().concurrency(), duration, ping);
    Usage.Snapshot used = usage.stop();
    System.out.printf(
        "  %s run %d: %,.0f/s p50 %.2f ms p99 %.2f ms (%d failed); server %.2f cores, db %.2f%n",
        what,
        run,
        outcome.rate(),
        outcome.latencies().percentileMs(50),
        outcome.latencies().percentileMs(99),
        outcome.failed(),
        used.serverCores(),
        used.databaseCores());
    into.add(outcome, used);
  }

  /** Pings of each computer in turn, right when the answer says what waits for it. */
  private static Supplier<Future<Boolean>> ping(
      HttpClientAgent http, int port, List<Long> ids, Set<Long> waiting) {
    AtomicInteger next = new AtomicInteger();
    return () -> {
      long id = ids.get(Math.floorMod(next.getAndIncrement(), ids.size()));
      return http.request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost("127.0.0.1")
                  .setPort(port)
                  .setURI("/ping")
                  .putHeader("Content-Type", "application/x-www-form-urlencoded"))
          .compose(request -> request.send(Buffer.buffer("insecure_id=" + id)))
          .compose(
              response ->
                  response
                      .body()
                      .map(
                          body ->
                              response.statusCode() == 200
                                  && WireMap.of((Map<?, ?>) Bpickle.decode(body.getBytes()))
                                          .bool("messages")
                                      == waiting.contains(id)));
    };
  }
}
