package dev.outpost.bench.support;

import java.util.ArrayList;
import java.util.List;

/** CPU and memory (resident and proportional) of a process, watched over equal windows of time. */
public final class Footprint {

  /**
   * One window.
   *
   * @param cores CPU used on average over the window, in cores
   * @param rssMib resident memory at the end of the window
   * @param pssMib proportional set size at the end of the window: resident memory with shared pages
   *     counted as this process's share
   * @param maxRssMib the largest resident memory sampled in the window (every second)
   */
  public record Window(double cores, double rssMib, double pssMib, double maxRssMib) {}

  private Footprint() {}

  /** Watches {@code pid} for {@code windows} windows of {@code seconds} each. */
  public static List<Window> watch(ChildProcess process, int windows, double seconds)
      throws InterruptedException {
    List<Window> result = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      double cpu0 = Procs.cpuSeconds(process.pid());
      long start = System.nanoTime();
      double max = 0;
      while (System.nanoTime() < end) {
        process.checkAlive();
        max = Math.max(max, Procs.rssMib(process.pid()));
        Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
      }
      double rss = Procs.rssMib(process.pid());
      double pss = Procs.pssMib(process.pid());
      double used = Procs.cpuSeconds(process.pid()) - cpu0;
      result.add(
          new Window(used / ((System.nanoTime() - start) / 1e9), rss, pss, Math.max(max, rss)));
    }
    return result;
  }

  /** The windows' CPU, in cores. */
  public static List<Double> cores(List<Window> windows) {
    return windows.stream().map(Window::cores).toList();
  }

  /** The windows' resident memory at their end, MiB. */
  public static List<Double> rss(List<Window> windows) {
    return windows.stream().map(Window::rssMib).toList();
  }

  /** The windows' proportional set size at their end, MiB. */
  public static List<Double> pss(List<Window> windows) {
    return windows.stream().map(Window::pssMib).toList();
  }

  /** The largest resident memory seen, MiB. */
  public static double maxRss(List<Window> windows) {
    return windows.stream().mapToDouble(Window::maxRssMib).max().orElse(0);
  }
}
