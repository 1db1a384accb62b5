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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * 9. Idle channels at the scale of a large fleet ({@code BENCH_IDLE_CHANNELS}, e.g. 100,000; left
 * out at 0, the default): simulated agents at Landscape's intervals in shards of at most {@value
 * #PER_ADDRESS}, each shard reaching the server on an address of its own (127.0.0.2, 127.0.0.3,
 * ...) so that no address runs out of ephemeral ports; the server listens on every address for the
 * run. Measured: the server's heap (after a full collection) and resident memory per channel, over
 * the same server once the fleet has gone; and the nudge's latency with every channel open, from an
 * activity's creation to the exchange that delivers it ({@code created_at} to {@code delivered_at},
 * the server's clock), for one computer at a time and for one activity naming {@value #MANY}
 * computers; against a bare exchange sent at creation, in the same run. The open files this needs
 * are raised by {@code scripts/bench}.
 */
public final class IdleChannelsBench implements Benchmark {

  /**
   * Channels per loopback address and simulator: under the ~28,000 ephemeral ports of one address,
   * and under a hard limit of 20,000 open files per process.
   */
  static final int PER_ADDRESS = 15_000;

  /** Computers one activity names in the fan-out nudge. */
  static final int MANY = 1000;

  /**
   * HTTP connections each simulator's agents share: a simulator lets 64 requests wait for each
   * (more fail at once as {@code simulator busy}, and their agents back off), so one shard must
   * have room for the {@value #MANY} exchanges the fan-out nudge starts together, with a margin.
   */
  static final int CONNECTIONS = 32;

  private static final String PREFIX = "idle";

  @Override
  public String name() {
    return "idle-channels";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int agents = ctx.config().idleChannels();
    if (agents <= 0) {
      System.out.println("  left out: set BENCH_IDLE_CHANNELS (e.g. 100000) to run it");
      return;
    }
    int samples = ctx.config().channelSamples();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "idlechan");
        OutpostProcess server =
            OutpostProcess.start(
                ctx,
                db,
                "idle-channels-server",
                Map.of(
                    "OUTPOST_CHANNELS",
                    String.valueOf(agents + 1000),
                    "OUTPOST_HTTP_HOST",
                    "0.0.0.0"),
                List.of());
        Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1)) {
      long account = Fleet.accountId(db);
      List<Peer> peers = Fleet.register(db, account, "bare", 1);
      ServerMemory before = ServerMemory.of(http, server);
      System.out.printf(
          "  idle server: heap %.1f MiB, RSS %.1f MiB%n", before.heapMib(), before.rssMib());
      try (ChannelFleet fleet =
          ChannelFleet.startSharded(
              ctx,
              server,
              "idle-channels-simulate",
              agents,
              PER_ADDRESS,
              PREFIX,
              here -> Math.max(1, Math.min(600, here / 100)),
              CONNECTIONS)) {
        long began = System.nanoTime();
        fleet.awaitChannels(http, Duration.ofHours(1));
        System.out.printf(
            "  %d channels open after %.0f s%n", agents, (System.nanoTime() - began) / 1e9);
        Thread.sleep(30_000); // the registrations' last exchanges and reports settle
        ServerMemory connected = ServerMemory.of(http, server);
        System.out.printf(
            "  %d channels: heap %.1f MiB, RSS %.1f MiB%n",
            agents, connected.heapMib(), connected.rssMib());
        List<Long> computers =
            db.queryLongs("SELECT id FROM computers WHERE title LIKE '" + PREFIX + "-%'");
        List<Double> oneP50 = new ArrayList<>();
        List<Double> oneP99 = new ArrayList<>();
        List<Double> manyP50 = new ArrayList<>();
        List<Double> manyP99 = new ArrayList<>();
        List<Double> bareP50 = new ArrayList<>();
        List<Double> bareP99 = new ArrayList<>();
        try (ExchangeLoad load =
            new ExchangeLoad(ctx.vertx(), server.port(), 1, peers, null, account)) {
          for (int run = 0; run <= ctx.config().runs(); run++) {
            Latencies bare = new Latencies();
            Latencies one = new Latencies();
            for (int i = 0; i < samples; i++) {
              Instant created =
                  http.createScript(peers.get(0).computerId(), "echo nudge").createdAt();
              load.exchange(peers.get(0)).toCompletionStage().toCompletableFuture().join();
              bare.record(Duration.between(created, Instant.now()).toNanos());
              long computer = computers.get(ThreadLocalRandom.current().nextInt(computers.size()));
              long id = http.createScript(computer, "echo nudge").id();
              awaitDelivered(db, fleet, "id = " + id, 1).forEach(one::record);
            }
            Latencies many = new Latencies();
            List<Long> shuffled = new ArrayList<>(computers);
            Collections.shuffle(shuffled);
            List<Long> named = shuffled.subList(0, Math.min(MANY, shuffled.size()));
            long group = createFor(http, named);
            awaitDelivered(db, fleet, "parent_id = " + group, named.size()).forEach(many::record);
            System.out.printf(
                "  %s: nudge one p50 %.1f ms, p99 %.1f ms; %d at once p50 %.1f ms, p99 %.1f ms;"
                    + " bare exchange p50 %.1f ms%n",
                run == 0 ? "warm-up" : "run " + run,
                one.percentileMs(50),
                one.percentileMs(99),
                named.size(),
                many.percentileMs(50),
                many.percentileMs(99),
                bare.percentileMs(50));
            if (run > 0) {
              oneP50.add(one.percentileMs(50));
              oneP99.add(one.percentileMs(99));
              manyP50.add(many.percentileMs(50));
              manyP99.add(many.percentileMs(99));
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
        String open = agents + " channels open";
        int atOnce = Math.min(MANY, agents);
        report.add(
            List.of(
                Figure.of(name(), "nudge, one computer, p50, " + open, "ms")
                    .runs(oneP50)
                    .baseline("bare exchange sent at creation, p50", bareP50)
                    .aim("-")
                    .build(),
                Figure.of(name(), "nudge, one computer, p99, " + open, "ms")
                    .runs(oneP99)
                    .baseline("bare exchange sent at creation, p99", bareP99)
                    .aim("-")
                    .build(),
                Figure.of(name(), "nudge, " + atOnce + " computers at once, p50, " + open, "ms")
                    .runs(manyP50)
                    .baseline("bare exchange sent at creation, p50", bareP50)
                    .aim("-")
                    .build(),
                Figure.of(name(), "nudge, " + atOnce + " computers at once, p99, " + open, "ms")
                    .runs(manyP99)
                    .baseline("bare exchange sent at creation, p99", bareP99)
                    .aim("-")
                    .build()));
        report.add(ServerMemory.perChannel(name(), ", " + open, agents, before, connected, after));
      }
    }
  }

  /** Creates one {@code echo} script for these computers; its group's id. */
  private static long createFor(Http http, List<Long> computers) {
    Http.Answer answer =
        http.await(
            HttpMethod.POST,
            "/api/v2/activities",
            new JsonObject()
                .put("type", "ExecuteScriptRequest")
                .put("computer_ids", new JsonArray(new ArrayList<>(computers)))
                .put("parameters", new JsonObject().put("code", "echo nudge"))
                .toBuffer());
    if (answer.status() != 201) {
      throw new IllegalStateException(
          "creation answered " + answer.status() + ": " + answer.body());
    }
    return answer.body().toJsonObject().getLong("id");
  }

  /** Waits until the activities {@code where} selects are all delivered; their latencies. */
  private static List<Long> awaitDelivered(
      BenchDatabase db, ChannelFleet fleet, String where, int count) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      List<Long> delivered =
          db.queryLongs(
              "SELECT (extract(epoch FROM delivered_at - created_at) * 1e9)::bigint"
                  + " FROM activities WHERE delivered_at IS NOT NULL AND "
                  + where);
      if (delivered.size() >= count) {
        return delivered;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            delivered.size() + " of " + count + " activities delivered after 2 minutes");
      }
      fleet.checkAlive();
      Thread.sleep(2);
    }
  }
}
