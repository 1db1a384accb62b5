package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Pings waiting to be answered, answered together: at most {@code maxBatches} statements run at
 * once, and the pings that arrive meanwhile are answered by the next one, whatever their number (up
 * to {@code maxBatchSize} computers). An idle server answers each ping alone and at once; a busy
 * one spends a statement per batch instead of one per ping, the batches growing with the load.
 * Pings of one computer waiting together share one answer.
 *
 * <p>What waits is bounded: past {@code maxHeld} pings a ping is refused at once with 503 and a
 * {@code Retry-After}; the agent pings again at its next interval.
 */
final class PingQueue {

  private record Waiting(Promise<Boolean> promise, Context context) {}

  private final Function<List<Long>, Future<Set<Long>>> waitingAmong;
  private final int maxBatches;
  private final int maxBatchSize;
  private final int maxHeld;

  /** Pings not yet in a batch, by computer, in the order their computers first pinged. */
  private final Map<Long, List<Waiting>> waiting = new LinkedHashMap<>();

  private int running;
  private int held;

  /**
   * @param waitingAmong the computers of a batch that have something waiting for them
   * @param maxBatches statements run at once (each holds a database connection)
   * @param maxBatchSize computers in one statement at most
   * @param maxHeld pings taken in and not yet answered, at most
   */
  PingQueue(
      Function<List<Long>, Future<Set<Long>>> waitingAmong,
      int maxBatches,
      int maxBatchSize,
      int maxHeld) {
    this.waitingAmong = waitingAmong;
    this.maxBatches = maxBatches;
    this.maxBatchSize = maxBatchSize;
    this.maxHeld = maxHeld;
  }

  /**
   * Whether anything waits for the computer; completes on the caller's context. Fails at once with
   * 503 when too many pings are waiting already.
   */
  Future<Boolean> submit(long computerId) {
    Promise<Boolean> promise = Promise.promise();
    synchronized (this) {
      if (held >= maxHeld) {
        return Future.failedFuture(
            OutpostException.busy(
                "the server has too many pings waiting; try again later",
                ExchangeQueue.RETRY_AFTER_SECONDS));
      }
      held++;
      waiting
          .computeIfAbsent(computerId, id -> new ArrayList<>(1))
          .add(new Waiting(promise, Vertx.currentContext()));
    }
    drain();
    return promise.future();
  }

  private void drain() {
    while (true) {
      Map<Long, List<Waiting>> batch;
      synchronized (this) {
        if (running >= maxBatches || waiting.isEmpty()) {
          return;
        }
        batch = take();
        running++;
      }
      Future<Set<Long>> answer;
      try {
        answer = waitingAmong.apply(List.copyOf(batch.keySet()));
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(
          done -> {
            synchronized (this) {
              running--;
            }
            batch.forEach(
                (computer, pings) ->
                    pings.forEach(
                        ping ->
                            settle(
                                ping,
                                done.succeeded()
                                    ? Future.succeededFuture(done.result().contains(computer))
                                    : Future.failedFuture(done.cause()))));
            drain();
          });
    }
  }

  /** The computers that pinged first, with their pings; called holding the lock. */
  private Map<Long, List<Waiting>> take() {
    Map<Long, List<Waiting>> batch = new LinkedHashMap<>();
    for (Iterator<Map.Entry<Long, List<Waiting>>> it = waiting.entrySet().iterator();
        it.hasNext() && batch.size() < maxBatchSize; ) {
      Map.Entry<Long, List<Waiting>> next = it.next();
      batch.put(next.getKey(), next.getValue());
      it.remove();
    }
    return batch;
  }

  private void settle(Waiting ping, Future<Boolean> outcome) {
    synchronized (this) {
      held--;
    }
    if (ping.context() == null || ping.context() == Vertx.currentContext()) {
      ping.promise().handle(outcome);
    } else {
      ping.context().runOnContext(v -> ping.promise().handle(outcome));
    }
  }
}
