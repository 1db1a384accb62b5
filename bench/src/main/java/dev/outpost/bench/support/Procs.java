package dev.outpost.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * CPU time and resident memory of processes, read from {@code /proc}. CPU times are in clock ticks
 * of 10 ms (USER_HZ is 100 on Linux/x86-64).
 */
public final class Procs {

  private static final double TICK_SECONDS = 0.01;

  private Procs() {}

  /** User plus system CPU seconds the process used so far; 0 once it is gone. */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // the command name is in parentheses and may hold spaces: count fields after the last ')'
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_SECONDS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The sum of {@link #cpuSeconds(long)} over the processes. */
  public static double cpuSeconds(Collection<Long> pids) {
    return pids.stream().mapToDouble(Procs::cpuSeconds).sum();
  }

  /** Resident set size in MiB (VmRSS); 0 once the process is gone. */
  public static double rssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /**
   * Proportional set size in MiB (Pss of /proc/PID/smaps_rollup): resident memory with each page
   * shared with other processes counted as its share, as Landscape measures its client; 0 once the
   * process is gone.
   */
  public static double pssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
  public static long[] machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 1};
    }
  }
}
