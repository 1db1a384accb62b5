package dev.outpost.bench.support;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** Requests one after the other, each timed from send to whole answer. */
public final class Sequential {

  private Sequential() {}

  /**
   * Sends {@code count} requests in turn from the calling thread (never an event loop), fewer when
   * they take longer than {@code maxSeconds} in all (at least one is sent).
   *
   * @param request sends one; its future says whether the answer was the expected one
   */
  public static Latencies time(int count, double maxSeconds, Supplier<Future<Boolean>> request) {
    Latencies latencies = new Latencies();
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    for (int i = 0; i < count && (i == 0 || System.nanoTime() < deadline); i++) {
      long start = System.nanoTime();
      boolean ok = request.get().toCompletionStage().toCompletableFuture().join();
      if (!ok) {
        throw new IllegalStateException("a request was not answered as expected");
      }
      latencies.record(System.nanoTime() - start);
    }
    return latencies;
  }
}
