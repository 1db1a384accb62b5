package dev.outpost.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.outpost.agent.config.Durations;
import dev.outpost.agent.simulate.Fleet;
import dev.outpost.agent.simulate.FleetConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code outpost-agent simulate --agents N}: a fleet of simulated agents, for load tests. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = "Runs N simulated agents in this process against a server, for load tests.")
public final class SimulateCommand implements Callable<Integer> {

  @Mixin ServerOptions server;

  @Option(
      names = "--agents",
      paramLabel = "N",
      required = true,
      description = "How many agents to simulate.")
  int agents;

  @Option(
      names = "--title-prefix",
      paramLabel = "PREFIX",
      defaultValue = "sim",
      description = "Agent i is titled PREFIX-i (default: ${DEFAULT-VALUE}).")
  String titlePrefix;

  @Option(
      names = "--ramp-up",
      paramLabel = "DURATION",
      defaultValue = "60",
      converter = Durations.class,
      description = "Spread the agents' registrations over this long (default: 60).")
  Duration rampUp;

  @Option(
      names = "--latency",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = Durations.class,
      description = "Average time a simulated operation takes (default: ${DEFAULT-VALUE}).")
  Duration latency;

  @Option(
      names = "--failure-rate",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of simulated operations that fail, 0 to 1 (default: ${DEFAULT-VALUE}).")
  double failureRate;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "64",
      description = "HTTP connections the agents share (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Durations.class,
      description = "Print a progress line this often (default: ${DEFAULT-VALUE}).")
  Duration progressEvery;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Stop after this long (default: run until stopped).")
  Duration duration;

  @Option(
      names = "--verbose",
      defaultValue = "false",
      description = "Log what each agent does, not only the progress lines.")
  boolean verbose;

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    if (agents < 1 || failureRate < 0 || failureRate > 1 || maxConnections < 1) {
      System.err.println(
          "simulate: --agents and --max-connections must be positive and "
              + "--failure-rate between 0 and 1");
      return 2;
    }
    if (!verbose) {
      // thousands of agents logging each registration and operation would drown the progress
      ((Logger) LoggerFactory.getLogger("dev.outpost.agent")).setLevel(Level.ERROR);
    }
    Vertx vertx = Vertx.vertx();
    Fleet fleet = await(Fleet.start(vertx, config(), Clock.systemUTC()));
    fleet.printProgress(System.out, progressEvery);
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            stop(vertx, fleet);
            System.out.println("done: " + fleet.summaryLine());
            stopped.countDown();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "outpost-simulate-stop"));
    if (duration != null && !stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
      stop.run();
    }
    stopped.await();
    return 0;
  }

  /** The fleet the options describe. */
  FleetConfig config() {
    return new FleetConfig(
        server.urls(),
        server.accountName,
        server.registrationKey(),
        server.tags(),
        agents,
        titlePrefix,
        server.intervals(),
        server.backoff(),
        rampUp,
        latency,
        failureRate,
        maxConnections,
        server.requestTimeout,
        !server.noChannel,
        server.trust());
  }

  private static void stop(Vertx vertx, Fleet fleet) {
    try {
      await(fleet.stop().eventually(vertx::close));
    } catch (ExecutionException | InterruptedException e) {
      System.err.println("simulate: did not stop cleanly: " + e);
    }
  }

  private static <T> T await(Future<T> future) throws ExecutionException, InterruptedException {
    return future.toCompletionStage().toCompletableFuture().get();
  }
}
