package dev.outpost.agent.cli;

import dev.outpost.agent.AgentVerticle;
import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.ScriptUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code outpost-agent run}: the agent of this machine, until it is stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Runs the agent of this machine: registers, exchanges, runs activities.")
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ServerOptions server;

  @Option(
      names = "--computer-title",
      paramLabel = "TITLE",
      description = "How the computer is shown (default: the host name).")
  String computerTitle;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "/var/lib/outpost-agent",
      description =
          "Where the agent keeps its identity, sequence numbers, outgoing messages "
              + "and operation journal (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--enable-shutdown",
      defaultValue = "false",
      description = "Carry out shutdown and reboot requests (otherwise they fail).")
  boolean enableShutdown;

  @Option(
      names = "--enable-user-management",
      defaultValue = "false",
      description =
          "Carry out user and group requests with useradd, usermod... (otherwise they " + "fail).")
  boolean enableUserManagement;

  @Option(
      names = "--enable-package-management",
      defaultValue = "false",
      description =
          "Carry out package changes with apt-get and apt-mark (otherwise they are "
              + "simulated).")
  boolean enablePackageManagement;

  @Option(
      names = "--script-users",
      paramLabel = "USERS",
      converter = ScriptUsers.Converter.class,
      description =
          "Comma-separated users scripts may run as, or ALL for any (default: nobody "
              + "only, as the Landscape Client).")
  ScriptUsers scriptUsers;

  @Override
  public Integer call() throws InterruptedException {
    AgentConfig config = config();
    Vertx vertx = Vertx.vertx(vertxOptions());
    AgentVerticle verticle = new AgentVerticle(config, Clock.systemUTC());
    try {
      await(vertx.deployVerticle(verticle));
    } catch (ExecutionException e) {
      LOG.error("the agent could not start [problem: {}]", e.getCause().getMessage());
      vertx.close().toCompletionStage().toCompletableFuture().join();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    await(vertx.close());
                  } catch (ExecutionException | InterruptedException e) {
                    LOG.warn("the agent did not stop cleanly [problem: {}]", e.toString());
                  }
                },
                "outpost-agent-stop"));
    try {
      await(verticle.agent().terminated());
      return 0;
    } catch (ExecutionException e) {
      return 1;
    }
  }

  /**
   * Vert.x sized for one agent: a single event loop carries its few connections and timers, a few
   * workers its file writes and blocking commands (scripts' output has threads of its own), and no
   * file cache, since it serves no files (the cache would be a directory under /tmp).
   */
  static VertxOptions vertxOptions() {
    return new VertxOptions()
        .setEventLoopPoolSize(1)
        .setWorkerPoolSize(4)
        .setInternalBlockingPoolSize(2)
        .setFileSystemOptions(
            new FileSystemOptions()
                .setFileCachingEnabled(false)
                .setClassPathResolvingEnabled(false));
  }

  /** The configuration the options, environment and file give. */
  AgentConfig config() {
    String hostname = hostname();
    return new AgentConfig(
        server.urls(),
        server.accountName,
        server.registrationKey(),
        Optional.ofNullable(computerTitle).filter(t -> !t.isBlank()).orElse(hostname),
        hostname,
        server.tags(),
        dataDir,
        server.intervals(),
        server.backoff().min(),
        server.backoff().max(),
        server.requestTimeout,
        enableShutdown,
        enableUserManagement,
        scriptUsers == null ? ScriptUsers.DEFAULT : scriptUsers,
        !server.noChannel,
        server.trust(),
        enablePackageManagement);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static <T> T await(Future<T> future) throws ExecutionException, InterruptedException {
    return future.toCompletionStage().toCompletableFuture().get();
  }
}
