package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchanges of registered computers waiting to be answered, answered in batches: at most {@code
 * maxBatches} run at once, and whatever arrived meanwhile forms the next batch. An idle server
 * answers each exchange alone and at once; a busy one answers many per transaction, which is what
 * lets it go beyond one transaction per exchange. A batch holds at most one exchange per computer
 * (the next waits for the next batch), and a batch that fails as a whole is run again one exchange
 * at a time, so that each exchange meets only its own failure; an exchange the database refuses
 * alone (bad data, a constraint: {@link StoreRefusal}) is run once more carefully, a message at a
 * time, so that the message it refuses is set aside rather than failing its computer's every
 * exchange. Any other failure fails the exchange: its agent sends it again later.
 *
 * <p>What waits is bounded, in exchanges and in payload bytes: past either bound an exchange is
 * refused at once with 503 and a {@code Retry-After}, and the agent backs off.
 */
final class ExchangeQueue {

  private static final Logger LOG = LoggerFactory.getLogger(ExchangeQueue.class);

  /**
   * One exchange of a registered computer.
   *
   * @param bytes the size of its payload as received
   */
  record Request(byte[] secureIdHash, Optional<String> token, WireMap payload, long bytes) {
    ByteBuffer computer() {
      return ByteBuffer.wrap(secureIdHash);
    }
  }

  /** What one exchange of a batch came to: its answer, or the error it met alone. */
  record Outcome(Map<String, Object> answer, Throwable error) {
    static Outcome answered(Map<String, Object> answer) {
      return new Outcome(answer, null);
    }

    static Outcome failed(Throwable error) {
      return new Outcome(null, error);
    }
  }

  private record Waiting(Request request, Promise<Map<String, Object>> promise, Context context) {}

  /** How long a refused exchange is told to wait before it tries again. */
  static final int RETRY_AFTER_SECONDS = 5;

  private final Function<List<Request>, Future<List<Outcome>>> answerer;
  private final Function<Request, Future<Outcome>> carefully;
  private final int maxBatches;
  private final int maxBatchSize;
  private final MessageSystem.Waiting limits;
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private int running;

  /** Exchanges taken in and not yet answered, and their payload bytes. */
  private int held;

  private long heldBytes;

  /**
   * @param answerer answers a batch in one transaction, an outcome per request in their order
   * @param carefully answers one exchange whose batch failed alone, a message at a time
   * @param maxBatches batches answered at once (each holds a database connection)
   * @param maxBatchSize exchanges in one batch at most
   */
  ExchangeQueue(
      Function<List<Request>, Future<List<Outcome>>> answerer,
      Function<Request, Future<Outcome>> carefully,
      int maxBatches,
      int maxBatchSize,
      MessageSystem.Waiting limits) {
    this.answerer = answerer;
    this.carefully = carefully;
    this.maxBatches = maxBatches;
    this.maxBatchSize = maxBatchSize;
    this.limits = limits;
  }

  /**
   * Queues an exchange; the answer completes on the caller's context. Fails at once with 503 when
   * too much is waiting already.
   */
  Future<Map<String, Object>> submit(Request request) {
    Promise<Map<String, Object>> promise = Promise.promise();
    synchronized (this) {
      if (held >= limits.exchanges() || heldBytes + request.bytes() > limits.bytes()) {
        return Future.failedFuture(
            OutpostException.busy(
                "the server has too many exchanges waiting; try again later", RETRY_AFTER_SECONDS));
      }
      held++;
      heldBytes += request.bytes();
      waiting.add(new Waiting(request, promise, Vertx.currentContext()));
    }
    drain();
    return promise.future();
  }

  private void drain() {
    while (true) {
      List<Waiting> batch;
      synchronized (this) {
        if (running >= maxBatches || waiting.isEmpty()) {
          return;
        }
        batch = take();
        running++;
      }
      answer(batch)
          .onComplete(
              done -> {
                synchronized (this) {
                  running--;
                }
                drain();
              });
    }
  }

  /** The oldest waiting exchanges, one per computer; called holding the lock. */
  private List<Waiting> take() {
    List<Waiting> batch = new ArrayList<>();
    Set<ByteBuffer> computers = new HashSet<>();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext() && batch.size() < maxBatchSize; ) {
      Waiting next = it.next();
      if (computers.add(next.request().computer())) {
        batch.add(next);
        it.remove();
      }
    }
    return batch;
  }

  /** Answers a batch; the future completes, never fails, once every exchange of it is settled. */
  private Future<Void> answer(List<Waiting> batch) {
    Future<List<Outcome>> outcomes;
    try {
      outcomes = answerer.apply(batch.stream().map(Waiting::request).toList());
    } catch (RuntimeException e) {
      outcomes = Future.failedFuture(e);
    }
    return outcomes.transform(
        done -> {
          if (done.succeeded()) {
            for (int i = 0; i < batch.size(); i++) {
              settle(batch.get(i), done.result().get(i));
            }
            return Future.succeededFuture();
          }
          if (batch.size() == 1) {
            if (!StoreRefusal.is(done.cause())) {
              // the database gone, a timeout: a message at a time would fail the same, only slower
              settle(batch.get(0), Outcome.failed(done.cause()));
              return Future.succeededFuture();
            }
            LOG.warn(
                "the database refused an exchange; answering it a message at a time [problem: {}]",
                String.valueOf(done.cause()));
            return answerCarefully(batch.get(0));
          }
          LOG.warn(
              "a batch of {} exchanges failed; answering each alone [problem: {}]",
              batch.size(),
              String.valueOf(done.cause()));
          return Future.join(batch.stream().map(one -> answer(List.of(one))).toList()).mapEmpty();
        });
  }

  private Future<Void> answerCarefully(Waiting one) {
    Future<Outcome> outcome;
    try {
      outcome = carefully.apply(one.request());
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.transform(
        done -> {
          settle(one, done.succeeded() ? done.result() : Outcome.failed(done.cause()));
          return Future.succeededFuture();
        });
  }

  private void settle(Waiting waiting, Outcome outcome) {
    synchronized (this) {
      held--;
      heldBytes -= waiting.request().bytes();
    }
    Runnable settle =
        () -> {
          if (outcome.error() == null) {
            waiting.promise().complete(outcome.answer());
          } else {
            waiting.promise().fail(outcome.error());
          }
        };
    if (waiting.context() == null || waiting.context() == Vertx.currentContext()) {
      settle.run();
    } else {
      waiting.context().runOnContext(v -> settle.run());
    }
  }
}
