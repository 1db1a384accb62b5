package dev.outpost.bench.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM (or any program) the harness starts, with its output in a log file, stopped on close. */
public final class ChildProcess implements AutoCloseable {

  private final String label;
  private final Process process;
  private final Path log;

  private ChildProcess(String label, Process process, Path log) {
    this.label = label;
    this.process = process;
    this.log = log;
    Cleanup.opened(this);
  }

  /** Starts {@code command} with the extra environment, its output going to {@code log}. */
  public static ChildProcess start(
      String label, List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new ChildProcess(label, builder.start(), log);
  }

  /** The command line of a JVM running {@code mainOrJar} ({@code -jar x.jar} or a class). */
  public static List<String> java(List<String> jvmOptions, String... mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of(mainAndArgs));
    return command;
  }

  /** A TCP port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether it still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** Where its output goes. */
  public Path log() {
    return log;
  }

  /**
   * Waits for the process to end by itself, at most {@code seconds}.
   *
   * @throws IllegalStateException naming the log when it did not end in time or ended failing
   */
  public void awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          label + " did not end within " + seconds + " s; its output is in " + log);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          label + " ended with status " + process.exitValue() + "; its output is in " + log);
    }
  }

  /** Fails, naming the log, when the process has ended. */
  public void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          label + " ended with status " + process.exitValue() + "; its output is in " + log);
    }
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    Cleanup.closed(this);
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
