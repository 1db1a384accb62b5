package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes an operation started: each script runs as the leader of its own process group, so that
 * it and everything it started can be killed together. Blocking.
 */
final class ProcessTree {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);

  /** {@code setsid} makes the script a process group leader (util-linux, always on Debian). */
  static final Path SETSID = Path.of("/usr/bin/setsid");

  /** Two readings of a process's start time differ by less than this. */
  private static final Duration SAME_START = Duration.ofSeconds(2);

  private ProcessTree() {}

  /** Whether scripts can get a process group of their own. */
  static boolean groupsAvailable() {
    return Files.isExecutable(SETSID);
  }

  /** SIGKILLs the process group led by the process, its descendants and the process itself. */
  static void kill(ProcessHandle leader, boolean ownGroup) {
    if (ownGroup) {
      killGroup(leader.pid());
    }
    leader.descendants().forEach(ProcessHandle::destroyForcibly);
    leader.destroyForcibly();
  }

  /** When the process started, as the kernel tells it. */
  static Optional<Instant> startOf(ProcessHandle process) {
    return process.info().startInstant();
  }

  /**
   * Kills the process group a previous agent process started, if its leader is still the same
   * process (same pid, same start time): a pid can be reused.
   */
  static boolean killIfSame(long pid, Instant startedAt) {
    Optional<ProcessHandle> leader = ProcessHandle.of(pid);
    boolean same =
        leader
            .flatMap(ProcessTree::startOf)
            .map(start -> Duration.between(start, startedAt).abs().compareTo(SAME_START) < 0)
            .orElse(false);
    if (same) {
      LOG.info("killing what an interrupted operation left running [pid: {}]", pid);
      kill(leader.get(), true);
    }
    return same;
  }

  private static void killGroup(long pid) {
    try {
      Commands.Result result = Commands.run(Commands.Command.of("kill", "-KILL", "--", "-" + pid));
      if (!result.ok()) {
        LOG.debug(
            "kill of process group answered [pid: {}, exit: {}, output: {}]",
            pid,
            result.exitCode(),
            result.output().strip());
      }
    } catch (IOException e) {
      LOG.warn("cannot kill process group [pid: {}, problem: {}]", pid, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
