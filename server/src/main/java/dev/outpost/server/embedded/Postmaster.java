package dev.outpost.server.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The postmaster of a data directory, as its {@code postmaster.pid} and the kernel know it. */
final class Postmaster {

  private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);

  private Postmaster() {}

  /** The process id {@code data/postmaster.pid} names, if the file is there and readable. */
  static Optional<Long> pid(Path data) {
    try {
      List<String> lines =
          Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether process {@code pid} runs: alive and not a zombie. A killed postmaster is the child of
   * whoever adopted it, which may be slow to reap it (or, as the first process of a container,
   * never do so), and a zombie still answers signals.
   */
  static boolean runs(long pid) {
    if (pid <= 0 || ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // "pid (command) state ...": the command may hold spaces and parentheses
      int end = stat.lastIndexOf(')');
      char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      // no /proc entry: gone since; no /proc at all: alive is all there is to know
      return !Files.isDirectory(Path.of("/proc", "self"));
    }
  }

  /**
   * Removes {@code data/postmaster.pid} when it still names {@code pid}, which no longer runs:
   * PostgreSQL removes a lock file of a dead process itself, but takes a zombie for a live one.
   */
  static void forget(Path data, long pid) {
    if (pid(data).filter(named -> named == pid).isPresent() && !runs(pid)) {
      try {
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        LOG.debug("removed the dead postmaster's lock file [pid: {}, data: {}]", pid, data);
      } catch (IOException e) {
        LOG.warn("could not remove postmaster.pid [data: {}]", data, e);
      }
    }
  }
}
