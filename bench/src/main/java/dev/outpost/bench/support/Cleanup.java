package dev.outpost.bench.support;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * What the harness started and has not stopped yet (processes, databases), stopped by a shutdown
 * hook when the harness is interrupted, newest first.
 */
final class Cleanup {

  private static final Deque<AutoCloseable> OPEN = new ConcurrentLinkedDeque<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "bench-cleanup"));
  }

  private Cleanup() {}

  static void opened(AutoCloseable resource) {
    OPEN.push(resource);
  }

  static void closed(AutoCloseable resource) {
    OPEN.remove(resource);
  }

  private static void closeAll() {
    AutoCloseable resource;
    while ((resource = OPEN.poll()) != null) {
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("bench: cleanup step failed: " + e);
      }
    }
  }
}
