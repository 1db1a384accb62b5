package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.exchange.ExchangeLoad;
import dev.outpost.bench.exchange.Fleet;
import dev.outpost.bench.exchange.Peer;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChannelFleet;
import dev.outpost.bench.support.Http;
import dev.outpost.bench.support.Latencies;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.ServerMemory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * 7. The channel: a fleet of simulated agents at Landscape's intervals (ping 30 s, urgent 60 s,
 * exchange 15 min), each with its channel open; {@code echo} scripts created one at a time for
 * random computers, timed from creation to Succeeded by the activity's own timestamps (both the
 * server's clock); against one bare exchange round trip sent at creation, in the same run. And the
 * server's memory per idle channel: heap (after a full collection) and resident memory with the
 * fleet connected, over the same server once the fleet has gone (its caches and compiled code
 * warmed alike).
 */
public final class ChannelBench implements Benchmark {

  private static final String PREFIX = "chan";

  @Override
  public String name() {
    return "channel";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int agents = ctx.config().channelAgents();
    int samples = ctx.config().channelSamples();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "channel");
        OutpostProcess server =
            OutpostProcess.start(
                ctx,
                db,
                "channel-server",
                Map.of("OUTPOST_CHANNELS", String.valueOf(agents + 1000)),
                List.of());
        Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1)) {
      long account = Fleet.accountId(db);
      List<Peer> peers = Fleet.register(db, account, "bare", 1);
      ServerMemory before = ServerMemory.of(http, server);
      System.out.printf(
          "  idle server: heap %.1f MiB, RSS %.1f MiB%n", before.heapMib(), before.rssMib());
      try (ChannelFleet fleet =
          ChannelFleet.start(
              ctx,
              server,
              "channel-simulate-" + agents,
              agents,
              PREFIX,
              Math.max(1, Math.min(60, agents / 200)),
              16)) {
        fleet.awaitChannels(http, Duration.ofMinutes(15));
        System.out.printf("  %d channels open%n", agents);
        Thread.sleep(10_000); // the registrations' last exchanges and reports settle
        ServerMemory connected = ServerMemory.of(http, server);
        System.out.printf(
            "  %d channels: heap %.1f MiB, RSS %.1f MiB%n",
            agents, connected.heapMib(), connected.rssMib());
        List<Long> computers =
            db.queryLongs("SELECT id FROM computers WHERE title LIKE '" + PREFIX + "-%'");
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> bareP50 = new ArrayList<>();
        List<Double> bareP99 = new ArrayList<>();
        try (ExchangeLoad load =
            new ExchangeLoad(ctx.vertx(), server.port(), 1, peers, null, account)) {
          for (int run = 0; run <= ctx.config().runs(); run++) {
            Latencies bare = new Latencies();
            Latencies succeeded = new Latencies();
            for (int i = 0; i < samples; i++) {
              Instant created =
                  http.createScript(peers.get(0).computerId(), "echo channel").createdAt();
              load.exchange(peers.get(0)).toCompletionStage().toCompletableFuture().join();
              bare.record(Duration.between(created, Instant.now()).toNanos());
              long computer = computers.get(ThreadLocalRandom.current().nextInt(computers.size()));
              succeeded.record(
                  awaitSucceeded(db, fleet, http.createScript(computer, "echo channel").id()));
            }
            System.out.printf(
                "  %s: created -> succeeded p50 %.1f ms, p99 %.1f ms; bare exchange p50 %.1f ms%n",
                run == 0 ? "warm-up" : "run " + run,
                succeeded.percentileMs(50),
                succeeded.percentileMs(99),
                bare.percentileMs(50));
            if (run > 0) {
              p50.add(succeeded.percentileMs(50));
              p99.add(succeeded.percentileMs(99));
              bareP50.add(bare.percentileMs(50));
              bareP99.add(bare.percentileMs(99));
            }
          }
        }
        fleet.close();
        ChannelFleet.awaitNoChannel(http);
        ServerMemory after = ServerMemory.of(http, server);
        System.out.printf(
            "  the fleet gone: heap %.1f MiB, RSS %.1f MiB%n", after.heapMib(), after.rssMib());
        report.add(
            List.of(
                Figure.of(name(), "created -> Succeeded, p50, " + agents + " channels open", "ms")
                    .runs(p50)
                    .baseline("bare exchange sent at creation, p50", bareP50)
                    .aim("<= 100 ms")
                    .build(),
                Figure.of(name(), "created -> Succeeded, p99, " + agents + " channels open", "ms")
                    .runs(p99)
                    .baseline("bare exchange sent at creation, p99", bareP99)
                    .aim("<= 500 ms")
                    .build()));
        report.add(
            ServerMemory.perChannel(
                name(), ", " + agents + " channels open", agents, before, connected, after));
      }
    }
  }

  /** Nanoseconds from the activity's creation to its result, once it succeeded. */
  private static long awaitSucceeded(BenchDatabase db, ChannelFleet fleet, long id)
      throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    try (Connection conn = db.connect();
        PreparedStatement query =
            conn.prepareStatement(
                "SELECT status, (extract(epoch FROM completed_at - created_at) * 1e9)::bigint"
                    + " FROM activities WHERE id = ?")) {
      query.setLong(1, id);
      while (true) {
        try (ResultSet row = query.executeQuery()) {
          String status = row.next() ? row.getString(1) : "missing";
          if ("succeeded".equals(status)) {
            return row.getLong(2);
          }
          if (!"queued".equals(status) && !"in-progress".equals(status)) {
            throw new IllegalStateException("activity " + id + " ended " + status);
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "activity " + id + " is still " + status + " after 2 minutes");
          }
        }
        fleet.checkAlive();
        Thread.sleep(2);
      }
    }
  }
}
