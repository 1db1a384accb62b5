package dev.outpost.bench.support;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU used over an interval by the server, by the run's PostgreSQL sessions, by this load
 * generator, and by the whole machine, as cores busy on average (2.0 = both cores of this machine),
 * and the server's resident memory at the end.
 */
public final class Usage {

  private final long serverPid;
  private final Supplier<Collection<Long>> databasePids;
  private final long start;
  private final double server0;
  private final double self0;
  private final Map<Long, Double> database0 = new HashMap<>();
  private final long[] machine0;

  private Usage(long serverPid, Supplier<Collection<Long>> databasePids) {
    this.serverPid = serverPid;
    this.databasePids = databasePids;
    this.server0 = serverPid > 0 ? Procs.cpuSeconds(serverPid) : 0;
    this.self0 = Procs.cpuSeconds(ProcessHandle.current().pid());
    databasePids.get().forEach(pid -> database0.put(pid, Procs.cpuSeconds(pid)));
    this.machine0 = Procs.machineTicks();
    this.start = System.nanoTime();
  }

  /**
   * Starts measuring.
   *
   * @param serverPid the server process, 0 for none
   * @param databasePids the PostgreSQL backends of the run's database, asked at start and stop
   */
  public static Usage start(long serverPid, Supplier<Collection<Long>> databasePids) {
    return new Usage(serverPid, databasePids);
  }

  /** Starts measuring one process alone. */
  public static Usage start(long pid) {
    return new Usage(pid, List::of);
  }

  /** What was used since the start; backends that ended meanwhile are not counted. */
  public Snapshot stop() {
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] machine = Procs.machineTicks();
    double busy = (double) (machine[0] - machine0[0]) / Math.max(1, machine[1] - machine0[1]);
    double database = 0;
    for (long pid : databasePids.get()) {
      database += Procs.cpuSeconds(pid) - database0.getOrDefault(pid, 0.0);
    }
    return new Snapshot(
        seconds,
        serverPid > 0 ? (Procs.cpuSeconds(serverPid) - server0) / seconds : 0,
        serverPid > 0 ? Procs.rssMib(serverPid) : 0,
        Math.max(0, database) / seconds,
        (Procs.cpuSeconds(ProcessHandle.current().pid()) - self0) / seconds,
        busy * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Cores used on average over the interval.
   *
   * @param serverCores the server process
   * @param serverRssMib the server's resident memory at the end, MiB
   * @param databaseCores the PostgreSQL backends serving the run's database
   * @param generatorCores this process (the load generator and the harness)
   * @param machineCores the whole machine, every process included
   */
  public record Snapshot(
      double seconds,
      double serverCores,
      double serverRssMib,
      double databaseCores,
      double generatorCores,
      double machineCores) {}
}
