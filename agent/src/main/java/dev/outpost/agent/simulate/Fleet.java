package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.handlers.Handlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Many simulated agents in one process, for load tests: each with its own identity and sequence
 * numbers, kept in memory, and the same protocol core as the real agent. They share one HTTP client
 * with a bounded pool and a few event loops; an idle agent is a few timers and a few objects.
 */
public final class Fleet {

  private final Vertx vertx;
  private final FleetConfig config;
  private final FleetStats stats;
  private final WebClient client;
  private final WebSocketClient channels;
  private final Handlers handlers;
  private final List<String> deployments = new ArrayList<>();
  private long progressTimer = -1;

  private Fleet(
      Vertx vertx,
      FleetConfig config,
      FleetStats stats,
      WebClient client,
      WebSocketClient channels,
      Handlers handlers) {
    this.vertx = vertx;
    this.config = config;
    this.stats = stats;
    this.client = client;
    this.channels = channels;
    this.handlers = handlers;
  }

  /**
   * Starts the agents, spread over the event loops; each registers within the ramp-up. They read
   * the time from {@code clock}.
   */
  public static Future<Fleet> start(Vertx vertx, FleetConfig config, Clock clock) {
    try {
      config.trust().check(config.urls());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Random random = new Random();
    WebClient client =
        WebClient.create(
            vertx,
            ServerLink.clientOptions(config.trust()),
            new PoolOptions().setHttp1MaxSize(config.maxConnections()).setMaxWaitQueueSize(-1));
    // one connection per agent that keeps a channel, beside the shared pool of exchanges
    WebSocketClient channels =
        vertx.createWebSocketClient(ServerLink.channelOptions(config.agents(), config.trust()));
    Handlers handlers = Handlers.simulated(vertx, config.latency(), config.failureRate(), random);
    Fleet fleet = new Fleet(vertx, config, new FleetStats(), client, channels, handlers);
    ServerLink link =
        new ServerLink(client, channels, config.urls(), config.trust(), config.requestTimeout());
    int slices = Math.max(1, Math.min(config.agents(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
    List<Future<String>> deployed = new ArrayList<>();
    for (int slice = 0; slice < slices; slice++) {
      List<Integer> indexes = new ArrayList<>();
      for (int i = slice; i < config.agents(); i += slices) {
        indexes.add(i);
      }
      deployed.add(
          vertx
              .deployVerticle(
                  new FleetSlice(config, indexes, link, handlers, fleet.stats, random, clock))
              .onSuccess(fleet.deployments::add));
    }
    return Future.all(deployed).map(fleet);
  }

  /** The title of agent {@code index}: the prefix and the index, zero-padded. */
  static String title(String prefix, int index, int agents) {
    int digits = Integer.toString(Math.max(1, agents - 1)).length();
    return String.format("%s-%0" + digits + "d", prefix, index);
  }

  /** What the agents did so far. */
  public FleetStats stats() {
    return stats;
  }

  /** Prints a progress line every {@code every}. */
  public void printProgress(PrintStream out, Duration every) {
    long[] last = {System.nanoTime(), 0};
    progressTimer =
        vertx.setPeriodic(
            every.toMillis(),
            id -> {
              long now = System.nanoTime();
              long exchanges = stats.exchanges();
              double perSecond = (exchanges - last[1]) * 1e9 / Math.max(1, now - last[0]);
              last[0] = now;
              last[1] = exchanges;
              out.println(progressLine(perSecond));
            });
  }

  /** One progress line. */
  public String progressLine(double exchangesPerSecond) {
    return String.format(
        "registered %d/%d | exchanges/s %.1f | results sent %d | "
            + "operations failed %d | errors %d",
        stats.agentsRegistered(),
        config.agents(),
        exchangesPerSecond,
        stats.resultsSent(),
        stats.failedOperations(),
        stats.errors());
  }

  /** The totals, for the end of a run. */
  public String summaryLine() {
    return String.format(
        "registered %d/%d | exchanges %d | results sent %d | " + "operations failed %d | errors %d",
        stats.agentsRegistered(),
        config.agents(),
        stats.exchanges(),
        stats.resultsSent(),
        stats.failedOperations(),
        stats.errors());
  }

  /** Stops every agent and the shared client. */
  public Future<Void> stop() {
    vertx.cancelTimer(progressTimer);
    return Future.join(deployments.stream().map(vertx::undeploy).toList())
        .eventually(handlers::close)
        .onComplete(
            done -> {
              client.close();
              channels.close();
            })
        .mapEmpty();
  }
}
