package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.exchange.ExchangeLoad;
import dev.outpost.bench.exchange.Fleet;
import dev.outpost.bench.exchange.Peer;
import dev.outpost.bench.support.AgentProcess;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.Http;
import dev.outpost.bench.support.Latencies;
import dev.outpost.bench.support.OutpostProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 5. Delivery latency: from an activity's creation (its {@code created_at}) until a real agent has
 * it (the agent's log line saying it started the operation), the agent without its channel (as the
 * Landscape Client) pinging and exchanging urgently at short intervals; against the same activity
 * taken by an exchange sent the moment it was created, which is what the server itself costs. The
 * channel's latency is {@link ChannelBench}'s.
 */
public final class DeliveryBench implements Benchmark {

  private static final Pattern STARTED =
      // the agent's line starts with the date, the time and the offset: the time of day is read
      Pattern.compile(
          "^(?:\\d{4}-\\d\\d-\\d\\dT)?(\\d\\d:\\d\\d:\\d\\d\\.\\d{3})\\S* .*operation started \\[id: (\\d+),");

  @Override
  public String name() {
    return "delivery";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int samples = ctx.config().deliverySamples();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "delivery");
        OutpostProcess server =
            OutpostProcess.start(ctx, db, "delivery-server", Map.of(), List.of());
        Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1)) {
      long account = Fleet.accountId(db);
      List<Double> bareP50 = new ArrayList<>();
      List<Double> bareP99 = new ArrayList<>();
      List<Peer> peers = Fleet.register(db, account, "bare", 1);
      try (ExchangeLoad load =
          new ExchangeLoad(ctx.vertx(), server.port(), 1, peers, null, account)) {
        for (int run = 0; run <= ctx.config().runs(); run++) {
          Latencies bare = new Latencies();
          for (int i = 0; i < samples; i++) {
            Instant created = http.createScript(peers.get(0).computerId(), "true").createdAt();
            load.exchange(peers.get(0)).toCompletionStage().toCompletableFuture().join();
            bare.record(java.time.Duration.between(created, Instant.now()).toNanos());
          }
          if (run > 0) {
            bareP50.add(bare.percentileMs(50));
            bareP99.add(bare.percentileMs(99));
          }
        }
      }
      List<Figure> figures = new ArrayList<>();
      for (String interval : ctx.config().deliveryIntervals()) {
        String title = "delivery-" + interval;
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        try (ChildProcess agent =
            AgentProcess.start(
                ctx,
                server,
                "agent-" + title,
                "run",
                List.of(
                    "--computer-title",
                    title,
                    "--ping-interval",
                    interval,
                    "--urgent-exchange-interval",
                    interval,
                    "--exchange-interval",
                    "900",
                    "--no-channel"))) {
          long computer = awaitComputer(db, agent, title);
          long intervalMs = millis(interval);
          try (LogTail log = new LogTail(agent.log())) {
            for (int run = 0; run <= ctx.config().runs(); run++) {
              Latencies delivered = new Latencies();
              for (int i = 0; i < samples; i++) {
                // land anywhere in the agent's ping cycle
                Thread.sleep(ThreadLocalRandom.current().nextLong(intervalMs + 1));
                Http.Created activity = http.createScript(computer, "true");
                Instant received = log.awaitStarted(activity.id(), agent);
                delivered.record(
                    java.time.Duration.between(activity.createdAt(), received).toNanos());
              }
              System.out.printf(
                  "  %s %s: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                  interval,
                  run == 0 ? "warm-up" : "run " + run,
                  delivered.percentileMs(50),
                  delivered.percentileMs(99),
                  delivered.maxMs());
              if (run > 0) {
                p50.add(delivered.percentileMs(50));
                p99.add(delivered.percentileMs(99));
                max.add(delivered.maxMs());
              }
            }
          }
        }
        figures.add(
            Figure.of(name(), "created -> agent has it, p50, intervals " + interval, "ms")
                .runs(p50)
                .baseline("exchange sent at creation, p50", bareP50)
                .aim("-")
                .build());
        figures.add(
            Figure.of(name(), "created -> agent has it, p99, intervals " + interval, "ms")
                .runs(p99)
                .baseline("exchange sent at creation, p99", bareP99)
                .aim("-")
                .detail("max_ms", max)
                .build());
      }
      report.add(figures);
    }
  }

  /** An agent duration ({@code 100ms}, {@code 1s}, {@code 2m}, or seconds) in milliseconds. */
  static long millis(String duration) {
    Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m)?").matcher(duration.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "BENCH_DELIVERY_INTERVALS: '" + duration + "' is not a duration like 100ms, 1s or 2m");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> amount;
      case "m" -> amount * 60_000;
      default -> amount * 1000;
    };
  }

  private static long awaitComputer(BenchDatabase db, ChildProcess agent, String title)
      throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      agent.checkAlive();
      long id =
          db.queryLong("SELECT COALESCE(max(id), 0) FROM computers WHERE title = '" + title + "'");
      if (id > 0) {
        return id;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "the agent did not register within 2 minutes; see " + agent.log());
  }

  /** Reads an agent's log as it grows, for the line saying it started an operation. */
  private static final class LogTail implements AutoCloseable {
    private final RandomAccessFile file;
    private final StringBuilder partial = new StringBuilder();

    LogTail(java.nio.file.Path log) throws IOException {
      this.file = new RandomAccessFile(log.toFile(), "r");
      file.seek(file.length());
    }

    /** When the agent logged that it started the operation; fails after a minute. */
    Instant awaitStarted(long id, ChildProcess agent) throws Exception {
      long deadline = System.nanoTime() + 60_000_000_000L;
      byte[] buffer = new byte[8192];
      while (System.nanoTime() < deadline) {
        agent.checkAlive();
        int n;
        while ((n = file.read(buffer)) > 0) {
          partial.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
          String line = partial.substring(0, newline);
          partial.delete(0, newline + 1);
          Matcher m = STARTED.matcher(line);
          if (m.find() && Long.parseLong(m.group(2)) == id) {
            return LocalTime.parse(m.group(1))
                .atDate(LocalDate.now())
                .atZone(ZoneId.systemDefault())
                .toInstant();
          }
        }
        Thread.sleep(2);
      }
      throw new IllegalStateException(
          "the agent did not start activity " + id + " within a minute; see " + agent.log());
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
