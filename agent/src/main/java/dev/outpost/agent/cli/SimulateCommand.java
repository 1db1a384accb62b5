package dev.outpost.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.outpost.agent.config.Durations;
import dev.outpost.agent.handlers.Latency;
import dev.outpost.agent.handlers.SimulatedHandler;
import dev.outpost.agent.simulate.Fleet;
import dev.outpost.agent.simulate.FleetConfig;
import dev.outpost.agent.simulate.LoadReport;
import dev.outpost.agent.simulate.RateProfile;
import dev.outpost.agent.simulate.Scenario;
import dev.outpost.agent.simulate.Shard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code outpost-agent simulate --agents N}: a fleet of simulated agents, for load tests, and at
 * the end a report (HTML, JSON, CSV); {@code simulate merge} makes one report of several shards'.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    subcommands = MergeCommand.class,
    description =
        "Runs N simulated agents in this process against a server, for load tests, and writes a"
            + " report at the end.")
public final class SimulateCommand implements Callable<Integer> {

  @Mixin ServerOptions server;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "How many agents to simulate, all shards together (default: the scenario's).")
  Integer agents;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description =
          "Scenario file (YAML or JSON): reports the agents send, handler latencies and failures,"
              + " the load model and its phases. See docs/scenario-example.yaml.")
  Path scenarioFile;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description =
          "closed: each agent exchanges on its intervals; open: exchanges at a target rate"
              + " (--rate, or the scenario's phases) (default: open with --rate, else the"
              + " scenario's, else closed).")
  String model;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      description =
          "Open model: hold this many exchanges per second for --duration, instead of the"
              + " scenario's phases.")
  Double rate;

  @Option(
      names = "--shard",
      paramLabel = "I/N",
      defaultValue = "1/1",
      description =
          "Run shard I of N: the agents numbered I-1 modulo N, and that share of the open model's"
              + " schedule (default: ${DEFAULT-VALUE}).")
  String shard;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      defaultValue = "load-report",
      description =
          "Write report.html, report.json and report.csv here at the end (default:"
              + " ${DEFAULT-VALUE}).")
  Path reportDir;

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
      description =
          "Closed model: stop after this long (default: run until stopped). Open model: how long"
              + " --rate is held; the run ends when the schedule has and its exchanges are"
              + " answered.")
  Duration duration;

  @Option(
      names = "--identities",
      paramLabel = "FILE",
      description =
          "Keep the agents' identities in FILE: agents it names start registered as it says"
              + " (no registration), and at the end it is written with every agent's identity."
              + " A line is TITLE INSECURE_ID SECURE_ID; it holds secrets (mode 0600).")
  Path identities;

  @Option(
      names = "--verbose",
      defaultValue = "false",
      description = "Log what each agent does, not only the progress lines.")
  boolean verbose;

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    FleetConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      System.err.println("simulate: " + e.getMessage());
      return 2;
    }
    if (!verbose) {
      // thousands of agents logging each registration and operation would drown the progress
      ((Logger) LoggerFactory.getLogger("dev.outpost.agent")).setLevel(Level.ERROR);
    }
    Vertx vertx = Vertx.vertx();
    Fleet fleet = await(Fleet.start(vertx, config, Clock.systemUTC()));
    fleet.printProgress(System.out, progressEvery);
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            stop(vertx, fleet);
            System.out.println("done: " + fleet.summaryLine());
            writeReport(fleet.report());
            stopped.countDown();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "outpost-simulate-stop"));
    fleet.finished().onComplete(done -> new Thread(stop, "outpost-simulate-end").start());
    // the open model ends with its schedule: --duration is the schedule's length there
    if (config.open().isEmpty()
        && duration != null
        && !stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
      stop.run();
    }
    stopped.await();
    return 0;
  }

  private void writeReport(LoadReport report) {
    try {
      Path html = report.write(reportDir, "report");
      System.out.println("report: " + html.toAbsolutePath());
    } catch (IOException e) {
      System.err.println("simulate: the report could not be written: " + e.getMessage());
    }
  }

  /**
   * The fleet the options describe.
   *
   * @throws IllegalArgumentException saying which option, or which part of the scenario, is wrong
   */
  FleetConfig config() {
    if (failureRate < 0 || failureRate > 1 || maxConnections < 1) {
      throw new IllegalArgumentException(
          "--max-connections must be positive and --failure-rate between 0 and 1");
    }
    SimulatedHandler.Profile handler =
        new SimulatedHandler.Profile(
            new Latency.Uniform(Duration.ZERO, latency.multipliedBy(2)), failureRate, 0);
    Scenario scenario =
        scenarioFile == null ? Scenario.plain(handler) : Scenario.load(scenarioFile, handler);
    int count = agents != null ? agents : scenario.agents().orElse(0);
    if (count < 1) {
      throw new IllegalArgumentException(
          "--agents must be given and positive (or the scenario's agents)");
    }
    String chosen =
        model != null ? model : rate != null ? "open" : scenario.model().orElse("closed");
    Optional<RateProfile> open = Optional.empty();
    if (chosen.equals("open")) {
      if (rate != null) {
        if (duration == null || rate <= 0) {
          throw new IllegalArgumentException("--rate needs a positive rate and a --duration");
        }
        open = Optional.of(RateProfile.hold(rate, duration.toMillis() / 1000.0));
      } else {
        open =
            Optional.of(
                scenario
                    .phases()
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "the open model needs --rate and --duration, or a scenario with"
                                    + " phases")));
      }
    } else if (!chosen.equals("closed")) {
      throw new IllegalArgumentException("--model is open or closed, not '" + chosen + "'");
    }
    return new FleetConfig(
        server.urls(),
        server.accountName,
        server.registrationKey(),
        server.tags(),
        count,
        titlePrefix,
        server.intervals(),
        server.backoff(),
        rampUp,
        scenario,
        open,
        Shard.parse(shard),
        maxConnections,
        server.requestTimeout,
        !server.noChannel,
        server.trust(),
        Optional.ofNullable(identities));
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
