package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.support.AgentProcess;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.SimulatedFleet;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 10. The open model's saturation point: {@code outpost-agent simulate --model open} holds a target
 * rate of exchanges for a while, and the target rises by half each step until the rate achieved
 * (exchanges answered per second, from the schedule's first second to the last answer) falls under
 * 90 % of it. The server's saturation point is the last target it kept up with; each step is also a
 * same-run baseline for the next. Latency is counted from when the schedule meant each exchange to
 * start, so a server that falls behind shows it (no coordinated omission).
 */
public final class SaturationBench implements Benchmark {

  /**
   * Achieved under this share of the target: saturated. A server that keeps up is answering the
   * last second's exchanges as that second ends, which may count one second more.
   */
  private static final double KEPT_UP = 0.9;

  private static final double STEP = 1.5;

  private static final int MAX_STEPS = 12;

  @Override
  public String name() {
    return "saturation";
  }

  /** One step of the ramp: its target and what was achieved, per second of the schedule. */
  private record Step(double target, double achieved, double p50Ms, double p99Ms, long errors) {
    boolean keptUp() {
      return achieved >= KEPT_UP * target;
    }
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int agents = ctx.config().saturationAgents();
    int seconds = ctx.config().saturationSeconds();
    String prefix = "open" + agents;
    List<Step> steps = new ArrayList<>();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "saturation");
        OutpostProcess server =
            OutpostProcess.start(ctx, db, "saturation-server", Map.of(), List.of())) {
      Path identities = ctx.results().resolve(prefix + ".identities");
      SimulatedFleet.register(db, prefix, agents, identities);
      double rate = ctx.config().saturationStartRate();
      for (int i = 0; i < MAX_STEPS; i++) {
        Step step = step(ctx, server, prefix, agents, identities, rate, seconds, i);
        steps.add(step);
        System.out.printf(
            "  target %.0f/s: achieved %.0f/s (%.2f), p50 %.1f ms, p99 %.1f ms, errors %d%n",
            step.target(),
            step.achieved(),
            step.achieved() / step.target(),
            step.p50Ms(),
            step.p99Ms(),
            step.errors());
        if (!step.keptUp()) {
          break;
        }
        rate = Math.round(rate * STEP);
      }
    }
    Step last = steps.get(steps.size() - 1);
    Step kept = steps.stream().filter(Step::keptUp).reduce((a, b) -> b).orElse(steps.get(0));
    report.add(
        List.of(
            Figure.of(name(), "open model, achieved at saturation", "exchanges/s")
                .runs(List.of(last.achieved()))
                .baseline("its target", List.of(last.target()))
                .aim(last.keptUp() ? "not saturated within the ramp" : "-")
                .detail("saturated", last.keptUp() ? 0 : 1)
                .detail("p99_ms", last.p99Ms())
                .detail("errors", last.errors())
                .build(),
            Figure.of(name(), "open model, last target kept up with", "exchanges/s")
                .runs(List.of(kept.achieved()))
                .baseline("its target", List.of(kept.target()))
                .aim("-")
                .detail("p50_ms", kept.p50Ms())
                .detail("p99_ms", kept.p99Ms())
                .build()));
  }

  /** Holds one target rate and reads the simulator's report of it. */
  private static Step step(
      Context ctx,
      OutpostProcess server,
      String prefix,
      int agents,
      Path identities,
      double rate,
      int seconds,
      int index)
      throws Exception {
    String label = "saturation-" + index;
    try (ChildProcess fleet =
        AgentProcess.start(
            ctx,
            server,
            label,
            "simulate",
            List.of(
                "--agents",
                String.valueOf(agents),
                "--title-prefix",
                prefix,
                "--identities",
                identities.toString(),
                "--no-channel",
                "--model",
                "open",
                "--rate",
                String.valueOf(rate),
                "--duration",
                seconds + "s",
                "--progress-every",
                "5s"))) {
      fleet.awaitExit(seconds + 300L);
    }
    Path json = ctx.results().resolve(label + "-home/load-report/report.json");
    JsonObject report = new JsonObject(Files.readString(json));
    // from the first second the schedule made an exchange due to the last one an exchange was
    // answered in: a server that keeps up answers the schedule's exchanges within its seconds
    // (and one more), one that does not takes longer to answer them
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Object row : report.getJsonArray("seconds")) {
      JsonObject second = (JsonObject) row;
      if (second.getLong("target", 0L) > 0) {
        first = Math.min(first, second.getLong("t"));
      }
      if (second.getLong("exchanges", 0L) > 0) {
        last = Math.max(last, second.getLong("t"));
      }
    }
    long exchanges = report.getJsonObject("totals").getLong("exchanges");
    long span = first == Long.MAX_VALUE || last < first ? seconds : last - first + 1;
    JsonObject latency = report.getJsonObject("latency_ms");
    return new Step(
        rate,
        (double) exchanges / Math.max(seconds, span),
        latency.getDouble("p50"),
        latency.getDouble("p99"),
        report.getJsonObject("totals").getLong("errors"));
  }
}
