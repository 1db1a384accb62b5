package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.exchange.ExchangeLoad;
import dev.outpost.bench.exchange.Fleet;
import dev.outpost.bench.exchange.Peer;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ClosedLoop;
import dev.outpost.bench.support.Http;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;

/**
 * 2. Fan-out: one ExecuteScriptRequest for N computers (a group and N children, each with its
 * creation event), from request to response, while a few computers of the fan-out keep exchanging;
 * against COPY of the same rows into the same tables.
 */
public final class FanoutBench implements Benchmark {

  private static final int PROBES = 4;

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int n = ctx.config().fanoutComputers();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "fanout");
        // one request names every computer, however many BENCH_FANOUT_COMPUTERS asks for
        OutpostProcess server =
            OutpostProcess.start(
                ctx,
                db,
                "fanout-server",
                Map.of("OUTPOST_MAX_TARGETS", String.valueOf(n)),
                List.of())) {
      long account = Fleet.accountId(db);
      List<Peer> peers = Fleet.register(db, account, "fan", n);
      Buffer request =
          new JsonObject()
              .put("type", "ExecuteScriptRequest")
              .put("computer_ids", new JsonArray(peers.stream().map(Peer::computerId).toList()))
              .put("parameters", new JsonObject().put("code", "true"))
              .toBuffer();
      List<Double> fanout = new ArrayList<>();
      List<Double> copy = new ArrayList<>();
      List<Double> fanoutBusy = new ArrayList<>();
      List<Double> probeIdleP99 = new ArrayList<>();
      List<Double> probeIdleMax = new ArrayList<>();
      List<Double> probeDuringP99 = new ArrayList<>();
      List<Double> probeDuringMax = new ArrayList<>();
      List<Double> serverCores = new ArrayList<>();
      List<Double> databaseCores = new ArrayList<>();
      List<Double> responseMib = new ArrayList<>();
      try (Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1);
          ExchangeLoad probes =
              new ExchangeLoad(
                  ctx.vertx(),
                  server.port(),
                  PROBES,
                  peers.subList(0, PROBES * 2),
                  null,
                  account)) {
        for (int run = 0; run <= ctx.config().runs(); run++) {
          boolean warmup = run == 0;
          // alone, as COPY is timed alone
          clear(db);
          Usage usage = Usage.start(server.pid(), db::backendPids);
          long start = System.nanoTime();
          Http.Answer answer = created(http.await(HttpMethod.POST, "/api/v2/activities", request));
          double seconds = (System.nanoTime() - start) / 1e9;
          Usage.Snapshot used = usage.stop();
          clear(db);
          double copied = copy(db, account, peers);
          // again, while computers of the fan-out keep exchanging
          clear(db);
          ClosedLoop.Outcome idle =
              ClosedLoop.run(ctx.vertx(), PROBES, Duration.ofSeconds(1), probes.roundRobin());
          AtomicBoolean stop = new AtomicBoolean();
          CompletableFuture<ClosedLoop.Outcome> during =
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return ClosedLoop.run(
                          ctx.vertx(), PROBES, Duration.ofMinutes(10), probes.until(stop));
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                  });
          long busyStart = System.nanoTime();
          created(http.await(HttpMethod.POST, "/api/v2/activities", request));
          double busySeconds = (System.nanoTime() - busyStart) / 1e9;
          stop.set(true);
          ClosedLoop.Outcome probed = during.join();
          System.out.printf(
              "  fan-out %s: %.2f s (COPY %.2f s); with exchanges running %.2f s,"
                  + " slowest exchange %.1f ms (%.1f ms without the fan-out)%n",
              warmup ? "warm-up" : "run " + run,
              seconds,
              copied,
              busySeconds,
              probed.latencies().maxMs(),
              idle.latencies().maxMs());
          if (warmup) {
            continue;
          }
          fanout.add(seconds);
          copy.add(copied);
          fanoutBusy.add(busySeconds);
          probeIdleP99.add(idle.latencies().percentileMs(99));
          probeIdleMax.add(idle.latencies().maxMs());
          probeDuringP99.add(probed.latencies().percentileMs(99));
          probeDuringMax.add(probed.latencies().maxMs());
          serverCores.add(used.serverCores());
          databaseCores.add(used.databaseCores());
          responseMib.add(answer.body().length() / 1048576.0);
        }
      }
      report.add(
          List.of(
              Figure.of(name(), "fan-out to " + n + " computers", "s")
                  .runs(fanout)
                  .baseline("COPY of the same rows", copy)
                  .aim("<= 1.3x COPY")
                  .detail("with_exchanges_running_s", fanoutBusy)
                  .detail("server_cores", serverCores)
                  .detail("db_cores", databaseCores)
                  .detail("response_mib", responseMib)
                  .build(),
              Figure.of(name(), "slowest exchange during the fan-out", "ms")
                  .runs(probeDuringMax)
                  .baseline("slowest exchange, no fan-out", probeIdleMax)
                  .aim("not stalled")
                  .detail("p99_during_ms", probeDuringP99)
                  .detail("p99_idle_ms", probeIdleP99)
                  .build()));
    }
  }

  private static Http.Answer created(Http.Answer answer) {
    if (answer.status() != 201) {
      throw new IllegalStateException(
          "fan-out answered "
              + answer.status()
              + ": "
              + answer.body().toString().substring(0, Math.min(500, answer.body().length())));
    }
    return answer;
  }

  /** Empties what a fan-out wrote, so every run starts from the same tables. */
  private static void clear(BenchDatabase db) throws Exception {
    db.execute("TRUNCATE activities, activity_events, outgoing_messages CASCADE");
  }

  /**
   * COPYs the rows the fan-out writes: the group, a Queued child per computer, and a creation event
   * per child, in one transaction.
   *
   * @return seconds from the first statement to the commit
   */
  static double copy(BenchDatabase db, long account, List<Peer> peers) throws Exception {
    try (Connection conn = db.connect()) {
      conn.setAutoCommit(false);
      long start = System.nanoTime();
      long first;
      try (Statement st = conn.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT setval('activities_id_seq', "
                      + "nextval('activities_id_seq') + "
                      + peers.size()
                      + ") - "
                      + peers.size())) {
        rs.next();
        first = rs.getLong(1);
      }
      String now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).toString();
      StringBuilder activities = new StringBuilder(peers.size() * 120);
      activities
          .append(first)
          .append('\t')
          .append(account)
          .append("\t\\N\t\\N\tclient\tActivityGroup\t\\N\tExecute script\t{\"code\": \"true\"}\t")
          .append("bench\t")
          .append(now)
          .append('\n');
      StringBuilder events = new StringBuilder(peers.size() * 60);
      long id = first;
      for (Peer peer : peers) {
        id++;
        activities
            .append(id)
            .append('\t')
            .append(account)
            .append('\t')
            .append(first)
            .append('\t')
            .append(peer.computerId())
            .append(
                "\tclient\tExecuteScriptRequest\tqueued\tExecute script\t{\"code\": \"true\"}\t")
            .append("bench\t")
            .append(now)
            .append('\n');
        events.append(id).append("\t\\N\tqueued\t").append(now).append("\tbench\tcreated\n");
      }
      var copier = conn.unwrap(PGConnection.class).getCopyAPI();
      copier.copyIn(
          "COPY activities (id, account_id, parent_id, computer_id, kind, type, status,"
              + " summary, parameters, creator, created_at) FROM STDIN",
          new StringReader(activities.toString()));
      copier.copyIn(
          "COPY activity_events (activity_id, from_status, to_status, at, actor, reason)"
              + " FROM STDIN",
          new StringReader(events.toString()));
      conn.commit();
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
