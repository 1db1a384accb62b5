package dev.outpost.server.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what a crashed run leaves in a data directory, so the next start succeeds: a postmaster
 * still running (the server died, PostgreSQL did not) or a {@code postmaster.pid} whose process id
 * now belongs to another program. Callers hold the home lock, so no live server owns the directory.
 */
final class LeftoverPostmaster {

  private static final Logger LOG = LoggerFactory.getLogger(LeftoverPostmaster.class);
  private static final Duration FAST_SHUTDOWN_WAIT = Duration.ofSeconds(60);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private LeftoverPostmaster() {}

  /**
   * Stops a postmaster left running on {@code data} and removes a {@code postmaster.pid} that names
   * another process.
   */
  static void clear(Path data) {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<Long> pid = readPid(pidFile);
    if (pid.isEmpty()) {
      // PostgreSQL refuses to start on an empty lock file, taking it for a concurrent start-up
      LOG.warn("removing unreadable postmaster.pid [file: {}]", pidFile);
      delete(pidFile);
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      // PostgreSQL removes a lock file of a dead process itself, after checking its shared memory
      // is free
      return;
    }
    ProcessHandle handle = process.get();
    Optional<String> command = handle.info().command();
    if (command.isEmpty()) {
      throw new IllegalStateException(
          "postmaster.pid names a running process that cannot be identified; "
              + "stop it or delete the file [pid: "
              + handle.pid()
              + ", file: "
              + pidFile
              + "]");
    }
    if (isPostmasterOf(command.get(), handle.info().arguments().orElse(new String[0]), data)) {
      stop(handle, data);
    } else {
      // the process id was reused after a crash; inside the user namespace PostgreSQL may signal
      // any root process, so it would take that program for a live postmaster and refuse to start
      LOG.warn(
          "removing stale postmaster.pid [pid: {}, now: {}, file: {}]",
          handle.pid(),
          command.get(),
          pidFile);
      delete(pidFile);
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read [file: " + pidFile + "]", e);
    }
  }

  static boolean isPostmasterOf(String command, String[] arguments, Path data) {
    Path executable = Path.of(command).getFileName();
    if (executable == null || !executable.toString().equals("postgres")) {
      return false;
    }
    for (int i = 0; i + 1 < arguments.length; i++) {
      if (arguments[i].equals("-D") && sameDirectory(arguments[i + 1], data)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameDirectory(String argument, Path data) {
    try {
      return Path.of(argument)
          .toAbsolutePath()
          .normalize()
          .equals(data.toAbsolutePath().normalize());
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static void stop(ProcessHandle postmaster, Path data) {
    LOG.warn(
        "stopping postgresql left running by an earlier run [pid: {}, data: {}]",
        postmaster.pid(),
        data);
    fastShutdown(postmaster);
    if (awaitExit(postmaster, FAST_SHUTDOWN_WAIT)) {
      return;
    }
    LOG.warn("postgresql ignored a fast shutdown, killing it [pid: {}]", postmaster.pid());
    postmaster.destroyForcibly();
    if (!awaitExit(postmaster, KILL_WAIT)) {
      throw new IllegalStateException(
          "could not stop postgresql left running [pid: " + postmaster.pid() + "]");
    }
  }

  /**
   * SIGINT: PostgreSQL's fast shutdown, which rolls back open sessions instead of waiting for them.
   */
  private static void fastShutdown(ProcessHandle postmaster) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (kill.waitFor() == 0) {
        return;
      }
    } catch (IOException e) {
      LOG.debug("no kill command, falling back to a smart shutdown", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // SIGTERM: a smart shutdown, which waits for sessions; those of a dead server are gone already
    postmaster.destroy();
  }

  private static boolean awaitExit(ProcessHandle process, Duration wait) {
    try {
      process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete [file: " + file + "]", e);
    }
  }
}
