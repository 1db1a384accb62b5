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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * 8. Cancel: a real agent with its channel up runs a {@code sleep 600} script (pinging every 5 s
 * and exchanging 5 s after news, so that a nudge lost on a loaded machine costs seconds, not a
 * run); the bench finds the {@code sleep} in {@code /proc} (the script's child, in the script's
 * process group), cancels the activity through the API and times from the cancel request until that
 * process is no longer running (gone from {@code /proc}, or a zombie nobody reaped yet). Against
 * one bare exchange round trip of a protocol peer, in the same run.
 */
public final class CancelBench implements Benchmark {

  private static final String TITLE = "cancel-agent";

  @Override
  public String name() {
    return "cancel";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int samples = ctx.config().cancelSamples();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "cancel");
        OutpostProcess server =
            OutpostProcess.start(ctx, db, "cancel-server", Map.of(), List.of());
        Http http = new Http(ctx.vertx(), server.port(), server.adminToken(), 1)) {
      long account = Fleet.accountId(db);
      List<Peer> peers = Fleet.register(db, account, "bare", 1);
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      List<Double> bareP50 = new ArrayList<>();
      List<Double> bareP99 = new ArrayList<>();
      try (ExchangeLoad load =
              new ExchangeLoad(ctx.vertx(), server.port(), 1, peers, null, account);
          ChildProcess agent =
              AgentProcess.start(
                  ctx,
                  server,
                  "agent-" + TITLE,
                  "run",
                  List.of(
                      "--computer-title",
                      TITLE,
                      "--ping-interval",
                      "5",
                      "--urgent-exchange-interval",
                      "5",
                      "--exchange-interval",
                      "900"))) {
        long computer = awaitComputer(db, agent);
        int marker = 0;
        for (int run = 0; run <= ctx.config().runs(); run++) {
          Latencies bare = new Latencies();
          Latencies gone = new Latencies();
          for (int i = 0; i < samples; i++) {
            long sent = System.nanoTime();
            load.exchange(peers.get(0)).toCompletionStage().toCompletableFuture().join();
            bare.record(System.nanoTime() - sent);
            // a duration no other process on the machine sleeps for: its command line finds it
            String duration = String.format("600.%06d", ++marker);
            long id = http.createScript(computer, "sleep " + duration).id();
            long pid = awaitSleeping(duration, agent, id);
            long canceled = System.nanoTime();
            cancel(http, id);
            awaitGone(pid, agent);
            gone.record(System.nanoTime() - canceled);
            awaitEnded(db, id);
          }
          System.out.printf(
              "  %s: cancel -> process gone p50 %.1f ms, p99 %.1f ms; bare exchange p50 %.1f ms%n",
              run == 0 ? "warm-up" : "run " + run,
              gone.percentileMs(50),
              gone.percentileMs(99),
              bare.percentileMs(50));
          if (run > 0) {
            p50.add(gone.percentileMs(50));
            p99.add(gone.percentileMs(99));
            bareP50.add(bare.percentileMs(50));
            bareP99.add(bare.percentileMs(99));
          }
        }
      }
      report.add(
          List.of(
              Figure.of(name(), "cancel -> the script's process gone, p50", "ms")
                  .runs(p50)
                  .baseline("bare exchange round trip, p50", bareP50)
                  .aim("<= 200 ms")
                  .build(),
              Figure.of(name(), "cancel -> the script's process gone, p99", "ms")
                  .runs(p99)
                  .baseline("bare exchange round trip, p99", bareP99)
                  .aim("-")
                  .build()));
    }
  }

  private static void cancel(Http http, long id) {
    Http.Answer answer =
        http.await(
            HttpMethod.POST,
            "/api/v2/activities/cancel",
            new JsonObject().put("ids", new JsonArray().add(id)).toBuffer());
    if (answer.status() != 200) {
      throw new IllegalStateException("cancel answered " + answer.status() + ": " + answer.body());
    }
  }

  private static long awaitComputer(BenchDatabase db, ChildProcess agent) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (System.nanoTime() < deadline) {
      agent.checkAlive();
      long id =
          db.queryLong("SELECT COALESCE(max(id), 0) FROM computers WHERE title = '" + TITLE + "'");
      if (id > 0) {
        return id;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "the agent did not register within 3 minutes; see " + agent.log());
  }

  /** The pid of {@code sleep <duration>} once the agent runs it. */
  private static long awaitSleeping(String duration, ChildProcess agent, long id) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String wanted = "sleep\0" + duration + "\0";
    while (System.nanoTime() < deadline) {
      agent.checkAlive();
      OptionalLong pid = find(wanted);
      if (pid.isPresent()) {
        return pid.getAsLong();
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException(
        "the agent did not start activity " + id + " within a minute; see " + agent.log());
  }

  private static OptionalLong find(String commandLine) throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          byte[] line = Files.readAllBytes(entry.resolve("cmdline"));
          if (new String(line, StandardCharsets.UTF_8).equals(commandLine)) {
            return OptionalLong.of(Long.parseLong(name));
          }
        } catch (IOException e) {
          // the process ended while the list was read
        }
      }
    }
    return OptionalLong.empty();
  }

  /** Waits until the process is gone or a zombie: it no longer runs. */
  private static void awaitGone(long pid, ChildProcess agent) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    Path stat = Path.of("/proc", String.valueOf(pid), "stat");
    while (System.nanoTime() < deadline) {
      try {
        String line = Files.readString(stat);
        // the state follows the command's closing parenthesis
        if (line.charAt(line.lastIndexOf(')') + 2) == 'Z') {
          return;
        }
      } catch (NoSuchFileException e) {
        return;
      }
      Thread.sleep(0, 200_000);
    }
    agent.checkAlive();
    throw new IllegalStateException("process " + pid + " still runs a minute after its cancel");
  }

  /** Waits until the canceled activity has the agent's result recorded. */
  private static void awaitEnded(BenchDatabase db, long id) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (db.queryLong(
              "SELECT count(*) FROM activities WHERE status = 'canceled'"
                  + " AND result_text IS NOT NULL AND id = "
                  + id)
          > 0) {
        return;
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(
        "activity " + id + " is not canceled a minute after its cancel");
  }
}
