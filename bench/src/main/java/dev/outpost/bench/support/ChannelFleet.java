package dev.outpost.bench.support;

import dev.outpost.bench.Context;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A fleet of simulated agents ({@code outpost-agent simulate}) at Landscape's intervals, each
 * holding its channel to the server: in one process, or in shards each reaching the server on a
 * loopback address of its own. Stopped on close.
 */
public final class ChannelFleet implements AutoCloseable {

  private final List<ChildProcess> shards;
  private final int agents;

  private ChannelFleet(List<ChildProcess> shards, int agents) {
    this.shards = shards;
    this.agents = agents;
  }

  /**
   * Starts {@code agents} agents titled {@code prefix-i} in one process on 127.0.0.1, labelled
   * {@code label}, their registrations spread over {@code rampUpSeconds}.
   */
  public static ChannelFleet start(
      Context ctx,
      OutpostProcess server,
      String label,
      int agents,
      String prefix,
      int rampUpSeconds,
      int maxConnections)
      throws IOException {
    return new ChannelFleet(
        List.of(
            AgentProcess.start(
                ctx,
                server,
                label,
                "simulate",
                arguments(agents, null, prefix, rampUpSeconds, maxConnections))),
        agents);
  }

  /**
   * Starts {@code agents} agents titled {@code prefix-i} in shards of at most {@code perAddress},
   * shard n labelled {@code label-n} and reaching the server on 127.0.0.(n + 1): no address runs
   * out of ephemeral ports. A shard's registrations are spread over {@code rampUp} of the agents it
   * holds, in seconds.
   */
  public static ChannelFleet startSharded(
      Context ctx,
      OutpostProcess server,
      String label,
      int agents,
      int perAddress,
      String prefix,
      IntUnaryOperator rampUp,
      int maxConnections)
      throws IOException, InterruptedException {
    int count = (agents + perAddress - 1) / perAddress;
    List<ChildProcess> shards = new ArrayList<>();
    try {
      for (int shard = 1; shard <= count; shard++) {
        int here = agents / count + (shard <= agents % count ? 1 : 0);
        shards.add(
            AgentProcess.start(
                ctx,
                server,
                "127.0.0." + (shard + 1),
                label + "-" + shard,
                "simulate",
                arguments(
                    agents, shard + "/" + count, prefix, rampUp.applyAsInt(here), maxConnections)));
      }
    } catch (IOException | RuntimeException e) {
      for (ChildProcess started : shards) {
        started.close();
      }
      throw e;
    }
    return new ChannelFleet(shards, agents);
  }

  private static List<String> arguments(
      int agents, String shard, String prefix, int rampUpSeconds, int maxConnections) {
    List<String> args = new ArrayList<>(List.of("--agents", String.valueOf(agents)));
    if (shard != null) {
      args.addAll(List.of("--shard", shard));
    }
    args.addAll(
        List.of(
            "--title-prefix",
            prefix,
            "--ramp-up",
            String.valueOf(rampUpSeconds),
            "--latency",
            "1ms",
            "--max-connections",
            String.valueOf(maxConnections)));
    return args;
  }

  /**
   * Waits until the server holds a channel for every agent, printing the count as it passes each
   * ten thousand.
   *
   * @throws IllegalStateException when a shard ended, or not every channel opened {@code within}
   */
  public void awaitChannels(Http http, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    double last = -1;
    while (System.nanoTime() < deadline) {
      checkAlive();
      double open = channelsOpen(http);
      if (open >= agents) {
        return;
      }
      if ((long) open / 10_000 != (long) last / 10_000) {
        System.out.printf("  %,.0f channels open%n", open);
      }
      last = open;
      Thread.sleep(1000);
    }
    throw new IllegalStateException(
        "only "
            + channelsOpen(http)
            + " of "
            + agents
            + " channels opened within "
            + within.toMinutes()
            + " minutes");
  }

  /** Fails when a shard ended. */
  public void checkAlive() {
    for (ChildProcess shard : shards) {
      shard.checkAlive();
    }
  }

  /** Stops every shard. */
  @Override
  public void close() throws InterruptedException {
    for (ChildProcess shard : shards) {
      shard.close();
    }
  }

  /** Waits until the server holds no channel: two minutes at most. */
  public static void awaitNoChannel(Http http) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (channelsOpen(http) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("channels still open 2 minutes after the fleet stopped");
      }
      Thread.sleep(500);
    }
  }

  /** The server's gauge of open channels. */
  public static double channelsOpen(Http http) {
    String metrics = http.await(HttpMethod.GET, "/metrics", null).body().toString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("outpost_channels_connected ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IllegalStateException("the server's /metrics has no outpost_channels_connected");
  }
}
