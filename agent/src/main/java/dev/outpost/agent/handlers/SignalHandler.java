package dev.outpost.agent.handlers;

import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs {@code signal-process} for real: checks that the pid is the process named (and started when
 * said), then sends it the signal with {@code kill -s}.
 */
final class SignalHandler implements Handler {

  /** The kernel cuts process names ({@code comm}) to this many characters. */
  private static final int COMM_LENGTH = 15;

  private static final long START_TOLERANCE_SECONDS = 2;

  private final Vertx vertx;

  SignalHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public List<String> types() {
    return List.of("signal-process");
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    WireMap message = operation.message();
    long pid = message.integer("pid");
    String name = message.text("name");
    Optional<Long> startTime = message.optionalInteger("start-time");
    String signal =
        message.text("signal").strip().toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
    return vertx.executeBlocking(() -> signal(operation.id(), pid, name, startTime, signal), false);
  }

  private static Map<String, Object> signal(
      long operationId, long pid, String name, Optional<Long> startTime, String signal)
      throws IOException, InterruptedException {
    if (!signal.matches("[A-Z0-9+-]+")) {
      return Replies.failed(operationId, "'" + signal + "' is not a signal name");
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return Replies.failed(operationId, "there is no process with pid " + pid);
    }
    String actual = processName(process.get());
    if (!sameName(name, actual, process.get())) {
      return Replies.failed(operationId, "process " + pid + " is " + actual + ", not " + name);
    }
    Optional<Instant> started = ProcessTree.startOf(process.get());
    if (startTime.isPresent()
        && started.isPresent()
        && Math.abs(started.get().getEpochSecond() - startTime.get()) > START_TOLERANCE_SECONDS) {
      return Replies.failed(
          operationId,
          "process "
              + pid
              + " started at "
              + started.get()
              + ", not at "
              + Instant.ofEpochSecond(startTime.get()));
    }
    Commands.Result result =
        Commands.run(Commands.Command.of("kill", "-s", signal, Long.toString(pid)));
    if (!result.ok()) {
      return Replies.failed(
          operationId, "kill -s " + signal + " " + pid + " failed: " + result.output().strip());
    }
    return Replies.succeeded(
        operationId, "sent SIG" + signal + " to process " + pid + " (" + actual + ")");
  }

  private static String processName(ProcessHandle process) {
    try {
      return Files.readString(
              Path.of("/proc", Long.toString(process.pid()), "comm"), StandardCharsets.UTF_8)
          .strip();
    } catch (IOException e) {
      return process.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
    }
  }

  private static boolean sameName(String expected, String comm, ProcessHandle process) {
    if (expected.equals(comm) || comm.length() == COMM_LENGTH && expected.startsWith(comm)) {
      return true;
    }
    return process
        .info()
        .command()
        .map(c -> Path.of(c).getFileName().toString().equals(expected))
        .orElse(false);
  }
}
