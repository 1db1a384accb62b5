package dev.outpost.bench.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A closed-loop load generator: {@code concurrency} requests in flight, each slot sending its next
 * request when the previous one is answered, until the time is up. Slots are spread over a few
 * event loops; each loop records its own latencies.
 */
public final class ClosedLoop {

  /** How many event loops the slots are spread over. */
  private static final int LOOPS = 2;

  private ClosedLoop() {}

  /**
   * What a run did.
   *
   * @param ok requests answered as expected
   * @param failed requests that failed or were answered otherwise
   * @param seconds how long the run took, until the last answer
   * @param latencies the latency of each request answered as expected
   */
  public record Outcome(long ok, long failed, double seconds, Latencies latencies) {
    /** Requests answered as expected per second. */
    public double rate() {
      return ok / seconds;
    }
  }

  /**
   * Runs the loop; blocks the calling thread (never an event loop) until every slot stopped.
   *
   * @param request sends one request, its future saying whether the answer was the expected one;
   *     null when the slot is to stop before the time is up
   */
  public static Outcome run(
      Vertx vertx, int concurrency, Duration duration, Supplier<Future<Boolean>> request)
      throws InterruptedException {
    List<Loop> loops = new ArrayList<>();
    for (int i = 0; i < LOOPS; i++) {
      loops.add(new Loop(vertx.getOrCreateContext()));
    }
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    for (int slot = 0; slot < concurrency; slot++) {
      Loop loop = loops.get(slot % LOOPS);
      loop.context.runOnContext(v -> loop.next(request, deadline, done));
    }
    if (!done.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still unanswered two minutes after the run");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Latencies all = new Latencies();
    long ok = 0;
    long failed = 0;
    for (Loop loop : loops) {
      // read on the loops' own threads, which wrote them
      Outcome part =
          onContext(loop.context, () -> new Outcome(loop.ok, loop.failed, 0, loop.latencies));
      all.addAll(part.latencies());
      ok += part.ok();
      failed += part.failed();
    }
    return new Outcome(ok, failed, seconds, all);
  }

  private static <T> T onContext(Context context, Supplier<T> read) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(read.get()));
    return result.join();
  }

  /** The slots of one event loop and what they recorded. */
  private static final class Loop {
    final Context context;
    final Latencies latencies = new Latencies();
    long ok;
    long failed;

    Loop(Context context) {
      this.context = context;
    }

    void next(Supplier<Future<Boolean>> request, long deadline, CountDownLatch done) {
      if (System.nanoTime() >= deadline) {
        done.countDown();
        return;
      }
      long sent = System.nanoTime();
      Future<Boolean> answered;
      try {
        answered = request.get();
      } catch (RuntimeException e) {
        answered = Future.failedFuture(e);
      }
      if (answered == null) {
        done.countDown();
        return;
      }
      answered.onComplete(
          outcome -> {
            if (outcome.succeeded() && outcome.result()) {
              latencies.record(System.nanoTime() - sent);
              ok++;
            } else {
              failed++;
            }
            // through the context, so answers that complete at once do not deepen the stack
            context.runOnContext(v -> next(request, deadline, done));
          });
    }
  }
}
