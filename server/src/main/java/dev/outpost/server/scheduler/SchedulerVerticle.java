package dev.outpost.server.scheduler;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the scheduler's sweeps on a timer, one pass at a time. */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Supplier<Future<Integer>> sweep;
  private final long intervalMs;
  private final Counter moved;
  private boolean busy;
  private boolean stopping;

  /** The pass under way, or the last one. */
  private Future<?> current = Future.succeededFuture();

  private long timer;

  /**
   * Creates the verticle running {@code sweep} (a scheduler's) every {@code intervalMs}, counting
   * what it moves.
   */
  public SchedulerVerticle(Supplier<Future<Integer>> sweep, long intervalMs, Counter moved) {
    this.sweep = sweep;
    this.intervalMs = intervalMs;
    this.moved = moved;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMs, tick -> pass());
    return Future.succeededFuture();
  }

  /** Stops sweeping once the pass under way has ended: the pool it uses closes next. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    return current.otherwiseEmpty();
  }

  private void pass() {
    if (busy || stopping) {
      return;
    }
    busy = true;
    current =
        sweep
            .get()
            .onSuccess(
                count -> {
                  if (count > 0) {
                    moved.increment(count);
                    LOG.debug("scheduler pass [moved: {}]", count);
                  }
                })
            .onFailure(e -> LOG.warn("scheduler pass failed [cause: {}]", e.toString()))
            .onComplete(done -> busy = false);
  }
}
