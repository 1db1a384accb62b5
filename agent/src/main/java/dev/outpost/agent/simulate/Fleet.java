package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.Identity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Many simulated agents in one process, for load tests: each with its own identity and sequence
 * numbers, kept in memory, and the same protocol core as the real agent. They share one HTTP client
 * with a bounded pool and a few event loops; an idle agent is a few timers and a few objects.
 */
public final class Fleet {

  /**
   * Requests that may wait for one of the shared connections, per connection. One more fails at
   * once ({@code simulator busy}): a process that cannot send its agents' pings and exchanges as
   * fast as they come (a starved machine, a server slower than the fleet's pace) would otherwise
   * hold every agent's request in memory, some 2.5 KiB each.
   */
  static final int WAITING_PER_CONNECTION = 64;

  private final Vertx vertx;
  private final FleetConfig config;
  private final FleetStats stats;
  private final WebClient client;
  private final WebSocketClient channels;
  private final Handlers handlers;
  private final List<String> deployments = new ArrayList<>();
  private final List<FleetSlice> slices = new ArrayList<>();
  private final long startedMillis = System.currentTimeMillis();
  private int agentsHere;
  private OpenDriver driver;
  private long progressTimer = -1;
  private long sampleTimer = -1;
  private boolean sampling = true;
  private long endedMillis;

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
   * Starts the agents of this process's shard, spread over the event loops: in the closed model
   * each registers within the ramp-up and exchanges on its intervals; in the open model they wait
   * for the schedule, which starts at once. They read the time from {@code clock}.
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
            new PoolOptions()
                .setHttp1MaxSize(config.maxConnections())
                .setMaxWaitQueueSize(config.maxConnections() * WAITING_PER_CONNECTION));
    // one connection per agent that keeps a channel, beside the shared pool of exchanges
    WebSocketClient channels =
        vertx.createWebSocketClient(ServerLink.channelOptions(config.agents(), config.trust()));
    Handlers handlers = Handlers.simulated(vertx, config.scenario()::handler, random);
    Map<String, Identity> identities;
    try {
      identities =
          config.identities().isEmpty()
              ? Map.of()
              : FleetIdentities.read(config.identities().get());
    } catch (IOException | IllegalArgumentException e) {
      client.close();
      channels.close();
      return Future.failedFuture(
          e instanceof IllegalArgumentException
              ? e
              : new IllegalArgumentException("the identities could not be read: " + e, e));
    }
    Fleet fleet = new Fleet(vertx, config, new FleetStats(), client, channels, handlers);
    ServerLink link =
        new ServerLink(client, channels, config.urls(), config.trust(), config.requestTimeout());
    List<Integer> mine = new ArrayList<>();
    for (int i = 0; i < config.agents(); i++) {
      if (config.shard().takes(i)) {
        mine.add(i);
      }
    }
    fleet.agentsHere = mine.size();
    int slices = Math.max(1, Math.min(mine.size(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
    List<Future<String>> deployed = new ArrayList<>();
    for (int slice = 0; slice < slices; slice++) {
      List<Integer> indexes = new ArrayList<>();
      for (int i = slice; i < mine.size(); i += slices) {
        indexes.add(mine.get(i));
      }
      FleetSlice verticle =
          new FleetSlice(config, indexes, link, handlers, fleet.stats, random, clock, identities);
      fleet.slices.add(verticle);
      deployed.add(vertx.deployVerticle(verticle).onSuccess(fleet.deployments::add));
    }
    fleet.scheduleSample();
    return Future.all(deployed).compose(v -> fleet.startSchedule()).map(fleet);
  }

  /** Writes every registered agent's identity to the identities file, when there is one. */
  private Future<Void> saveIdentities() {
    if (config.identities().isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Identity> identities = new LinkedHashMap<>();
    for (FleetSlice slice : slices) {
      for (Agent agent : slice.agents()) {
        agent
            .protocol()
            .identity()
            .ifPresent(id -> identities.put(agent.protocol().registration().title(), id));
      }
    }
    return vertx.executeBlocking(
        () -> {
          FleetIdentities.write(config.identities().get(), identities);
          return null;
        },
        false);
  }

  /** In the open model, starts the schedule once every agent has started. */
  private Future<Void> startSchedule() {
    if (config.open().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Agent> agents = new ArrayList<>();
    slices.forEach(slice -> agents.addAll(slice.agents()));
    driver = new OpenDriver(config.open().get(), config.shard(), agents, stats);
    return vertx.deployVerticle(driver).onSuccess(deployments::add).mapEmpty();
  }

  /**
   * Completes when the open model's schedule has ended and its exchanges have been answered; in the
   * closed model, never: the run lasts until stopped.
   */
  public Future<Void> finished() {
    return driver == null ? Promise.<Void>promise().future() : driver.finished();
  }

  /** Closes the time series' rows at each turn of the wall clock's second. */
  private void scheduleSample() {
    long now = System.currentTimeMillis();
    sampleTimer =
        vertx.setTimer(
            1000 - now % 1000,
            id -> {
              if (sampling) {
                stats.sample(System.currentTimeMillis() / 1000 - 1);
                scheduleSample();
              }
            });
  }

  /** The report of the run so far; once stopped, of the whole run. */
  public LoadReport report() {
    long ended = endedMillis == 0 ? System.currentTimeMillis() : endedMillis;
    return stats.report(
        new LoadReport.Run(
            config.model(),
            agentsHere,
            List.of(config.shard().toString()),
            config.scenario().name(),
            config.urls().exchange(),
            startedMillis,
            ended));
  }

  /** The title of agent {@code index}: the prefix and the index, zero-padded. */
  static String title(String prefix, int index, int agents) {
    int digits = Integer.toString(Math.max(1, agents - 1)).length();
    return String.format("%s-%0" + digits + "d", prefix, index);
  }

  /** The agents of this process, once started; to be looked at, from any thread, not changed. */
  List<Agent> agents() {
    List<Agent> all = new ArrayList<>();
    slices.forEach(slice -> all.addAll(slice.agents()));
    return all;
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
        "registered %d/%d | exchanges/s %.1f%s | results sent %d | "
            + "operations failed %d | errors %d",
        stats.agentsRegistered(),
        agentsHere,
        exchangesPerSecond,
        config.open().isPresent() ? " | due so far " + stats.targeted() : "",
        stats.resultsSent(),
        stats.failedOperations(),
        stats.errors());
  }

  /** The totals, for the end of a run. */
  public String summaryLine() {
    return String.format(
        "registered %d/%d | exchanges %d | results sent %d | " + "operations failed %d | errors %d",
        stats.agentsRegistered(),
        agentsHere,
        stats.exchanges(),
        stats.resultsSent(),
        stats.failedOperations(),
        stats.errors());
  }

  /** Stops every agent and the shared client; the time series gets its last, partial second. */
  public Future<Void> stop() {
    vertx.cancelTimer(progressTimer);
    vertx.cancelTimer(sampleTimer);
    if (sampling) {
      sampling = false;
      endedMillis = System.currentTimeMillis();
      stats.sample(endedMillis / 1000);
    }
    return Future.join(deployments.stream().map(vertx::undeploy).toList())
        .eventually(this::saveIdentities)
        .eventually(handlers::close)
        .onComplete(
            done -> {
              client.close();
              channels.close();
            })
        .mapEmpty();
  }
}
