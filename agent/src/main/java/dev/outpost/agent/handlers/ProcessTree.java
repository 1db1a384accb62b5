package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

  private static final Path PROC = Path.of("/proc");

  /** How often a stopping process is looked at. */
  private static final Duration STOP_POLL = Duration.ofMillis(20);

  /** Two readings of a process's start time differ by less than this. */
  private static final Duration SAME_START = Duration.ofSeconds(2);

  private ProcessTree() {}

  /** Whether scripts can get a process group of their own. */
  static boolean groupsAvailable() {
    return Files.isExecutable(SETSID);
  }

  /**
   * Stops the process and all it started: SIGTERM to each, then, {@code grace} later, SIGKILL to
   * what is left. "All it started" is its descendants and, when it leads a group of its own, every
   * process of its process group or session, found in {@code /proc}: a child that forked twice was
   * handed to init and is no descendant any more, but stays in the group and the session unless it
   * left them itself.
   */
  static void terminate(ProcessHandle leader, boolean ownGroup, Duration grace)
      throws InterruptedException {
    List<ProcessHandle> members = members(leader, ownGroup);
    members.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    while (members.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(STOP_POLL.toMillis());
    }
    // looked for again: what the script started while it was being stopped
    kill(leader, ownGroup);
  }

  /**
   * SIGKILLs the process and all it started, as {@link #terminate} finds them, its process group at
   * once (no member can fork out of it meanwhile).
   */
  static void kill(ProcessHandle leader, boolean ownGroup) {
    if (ownGroup) {
      killGroup(leader.pid());
    }
    members(leader, ownGroup).forEach(ProcessHandle::destroyForcibly);
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

  /** The process, its descendants and (leading a group) the processes of its group or session. */
  private static List<ProcessHandle> members(ProcessHandle leader, boolean ownGroup) {
    Set<Long> pids = new LinkedHashSet<>();
    pids.add(leader.pid());
    leader.descendants().forEach(p -> pids.add(p.pid()));
    if (ownGroup) {
      pids.addAll(inGroupOrSession(leader.pid()));
    }
    List<ProcessHandle> members = new ArrayList<>();
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(members::add));
    return members;
  }

  /** The processes whose process group or session is {@code id}, as {@code /proc} tells. */
  private static List<Long> inGroupOrSession(long id) {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path entry : entries) {
        try {
          String stat = Files.readString(entry.resolve("stat"));
          // after the parenthesised name (which may hold anything): state ppid pgrp session
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5);
          if (Long.parseLong(fields[2]) == id || Long.parseLong(fields[3]) == id) {
            found.add(Long.parseLong(entry.getFileName().toString()));
          }
        } catch (IOException | RuntimeException e) {
          // the process ended while being looked at
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list processes [problem: {}]", e.getMessage());
    }
    return found;
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
