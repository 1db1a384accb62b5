package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.IdleMain;
import dev.outpost.bench.Report;
import dev.outpost.bench.support.AgentProcess;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.ChildProcess;
import dev.outpost.bench.support.Footprint;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.SimulatedFleet;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 6. Agent footprint: one real agent, registered and idle on Landscape's default exchange and ping
 * intervals, and a fleet of simulated agents in one JVM, each watched over equal windows; against
 * an idle Vert.x JVM with the same options, and a simulation of one agent. Memory is resident (RSS)
 * and proportional (PSS, shared pages counted as a share: the figure Landscape gives for its
 * client).
 */
public final class AgentBench implements Benchmark {

  /**
   * The agents register at their first urgent exchange; an idle agent has no other (its pings
   * answer that nothing waits), so a short one only saves the wait for the registration.
   */
  private static final String URGENT = "1s";

  /** Long enough for a JVM to be done starting (class loading, first compilations). */
  private static final long SETTLE_MS = 10_000;

  @Override
  public String name() {
    return "agent";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int windows = ctx.config().runs();
    double idleWindow = (double) ctx.config().agentIdleSeconds() / windows;
    int agents = ctx.config().simulatedAgents();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "agent");
        OutpostProcess server =
            OutpostProcess.start(ctx, db, "agent-server", Map.of(), List.of())) {
      List<Footprint.Window> floor;
      // the idle JVM gets the real agent's options as scripts/agent gives them, and the agent's
      // jar (its Vert.x, Netty and logging set-up) with only IdleMain added
      List<String> options = new ArrayList<>(List.of("@" + ctx.agentJvmOptions()));
      ctx.agentJavaOpts().ifPresent(o -> options.addAll(List.of(o.strip().split("\\s+"))));
      String classpath =
          ctx.agentJar() + File.pathSeparator + ctx.root().resolve("bench/target/classes");
      try (ChildProcess idle =
          ChildProcess.start(
              "idle jvm",
              ChildProcess.java(options, "-cp", classpath, IdleMain.class.getName()),
              Map.of(),
              ctx.results().resolve("agent-floor.log"))) {
        Thread.sleep(SETTLE_MS);
        floor = Footprint.watch(idle, windows, Math.min(idleWindow, 12));
      }
      List<Footprint.Window> real;
      try (ChildProcess agent =
          AgentProcess.start(
              ctx,
              server,
              "agent-idle",
              "run",
              List.of("--computer-title", "idle-agent", "--urgent-exchange-interval", URGENT))) {
        awaitComputers(db, agent, "idle-agent", 1);
        Thread.sleep(SETTLE_MS);
        System.out.printf(
            "  idle agent registered; watching it for %d s%n", ctx.config().agentIdleSeconds());
        real = Footprint.watch(agent, windows, idleWindow);
      }
      print("idle jvm", floor);
      print("idle agent", real);
      List<Footprint.Window> one =
          simulate(
              ctx,
              db,
              server,
              1,
              windows,
              Math.min(30.0 / windows, ctx.config().simulatedSeconds() / (double) windows));
      List<Footprint.Window> fleet =
          simulate(
              ctx, db, server, agents, windows, (double) ctx.config().simulatedSeconds() / windows);
      print("1 simulated agent", one);
      print(agents + " simulated agents", fleet);
      double perAgentKib =
          (median(Footprint.rss(fleet)) - median(Footprint.rss(one)))
              * 1024
              / Math.max(1, agents - 1);
      // CPU a simulated agent costs, in microseconds each second (ping 30 s, exchange 15 min)
      double perAgentMicros =
          (median(Footprint.cores(fleet)) - median(Footprint.cores(one)))
              * 1e6
              / Math.max(1, agents - 1);
      System.out.printf(
          "  per simulated agent: %.2f KiB RSS, %.2f us CPU per second%n",
          perAgentKib, perAgentMicros);
      report.add(
          List.of(
              Figure.of(name(), "idle agent RSS", "MiB")
                  .runs(Footprint.rss(real))
                  .baseline("idle Vert.x JVM RSS", Footprint.rss(floor))
                  .aim("< 64 MB")
                  .detail("max_rss_mib", Footprint.maxRss(real))
                  .build(),
              Figure.of(name(), "idle agent PSS", "MiB")
                  .runs(Footprint.pss(real))
                  .baseline("idle Vert.x JVM PSS", Footprint.pss(floor))
                  .aim("< 64 MB (Landscape Client ~160 MB)")
                  .build(),
              Figure.of(name(), "idle agent CPU", "cores")
                  .runs(Footprint.cores(real))
                  .baseline("idle Vert.x JVM CPU", Footprint.cores(floor))
                  .aim("-")
                  .build(),
              Figure.of(name(), agents + " simulated agents RSS", "MiB")
                  .runs(Footprint.rss(fleet))
                  .baseline("1 simulated agent RSS", Footprint.rss(one))
                  .aim(agents >= 100_000 ? "100,000 in < 1 GiB" : "-")
                  .detail("max_rss_mib", Footprint.maxRss(fleet))
                  .detail("per_agent_kib", perAgentKib)
                  .build(),
              Figure.of(name(), agents + " simulated agents PSS", "MiB")
                  .runs(Footprint.pss(fleet))
                  .baseline("1 simulated agent PSS", Footprint.pss(one))
                  .aim("-")
                  .build(),
              Figure.of(name(), agents + " simulated agents CPU", "cores")
                  .runs(Footprint.cores(fleet))
                  .baseline("1 simulated agent CPU", Footprint.cores(one))
                  .aim("-")
                  .detail("per_agent_us_per_s", perAgentMicros)
                  .build()));
    }
  }

  /**
   * A simulated fleet on Landscape's default intervals, registered in the database beforehand
   * ({@link SimulatedFleet}), watched once every agent has exchanged with the server. Its first
   * exchanges are spread over a ramp-up of one second per 500 agents (200 s for 100,000), its pings
   * over their 30 s interval from the start.
   */
  private static List<Footprint.Window> simulate(
      Context ctx, BenchDatabase db, OutpostProcess server, int agents, int windows, double window)
      throws Exception {
    String prefix = "sim" + agents;
    int rampUp = Math.max(1, Math.min(300, agents / 500));
    Path identities = ctx.results().resolve(prefix + ".identities");
    SimulatedFleet.register(db, prefix, agents, identities);
    try (ChildProcess fleet =
        AgentProcess.start(
            ctx,
            server,
            "agent-simulate-" + agents,
            "simulate",
            List.of(
                "--agents",
                String.valueOf(agents),
                "--title-prefix",
                prefix,
                "--ramp-up",
                String.valueOf(rampUp),
                "--identities",
                identities.toString(),
                "--no-channel"))) {
      // a server that cannot answer them all within the ramp-up and as long again (a loaded
      // machine) does not stop the measure: the agents are registered and hold their state all
      // the same, and the figure says how many had exchanged
      long deadline = System.nanoTime() + (120L + 2L * rampUp) * 1_000_000_000L;
      long exchanged;
      while ((exchanged = SimulatedFleet.exchanged(db, prefix)) < agents
          && System.nanoTime() < deadline) {
        fleet.checkAlive();
        Thread.sleep(1000);
      }
      Thread.sleep(SETTLE_MS);
      System.out.printf(
          "  %d simulated agents, %d of them exchanged; watching them for %.0f s%n",
          agents, exchanged, window * windows);
      List<Footprint.Window> watched = Footprint.watch(fleet, windows, window);
      System.out.printf(
          "  %d of %d simulated agents had exchanged by the end%n",
          SimulatedFleet.exchanged(db, prefix), agents);
      return watched;
    }
  }

  /** Waits until {@code count} computers titled like {@code title} registered. */
  private static void awaitComputers(
      BenchDatabase db, ChildProcess process, String title, int count) throws Exception {
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (System.nanoTime() < deadline) {
      process.checkAlive();
      if (db.queryLong("SELECT count(*) FROM computers WHERE title LIKE '" + title + "'")
          >= count) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        count + " computers did not register within 10 minutes; see " + process.log());
  }

  private static void print(String what, List<Footprint.Window> windows) {
    List<String> parts = new ArrayList<>();
    for (Footprint.Window w : windows) {
      parts.add(
          String.format("%.0f MiB RSS %.0f MiB PSS %.3f cores", w.rssMib(), w.pssMib(), w.cores()));
    }
    System.out.println("  " + what + ": " + String.join(", ", parts));
  }

  private static double median(List<Double> values) {
    return dev.outpost.bench.support.Stats.median(values);
  }
}
