package dev.outpost.server.scheduler;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the scheduler's sweeps on a timer, one pass at a time. */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Scheduler scheduler;
  private final long intervalMs;
  private final Counter moved;
  private boolean busy;
  private long timer;

  /** Creates the verticle sweeping every {@code intervalMs}, counting what it moves. */
  public SchedulerVerticle(Scheduler scheduler, long intervalMs, Counter moved) {
    this.scheduler = scheduler;
    this.intervalMs = intervalMs;
    this.moved = moved;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMs, tick -> pass());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void pass() {
    if (busy) {
      return;
    }
    busy = true;
    scheduler.sweep()
        .onSuccess(count -> {
          if (count > 0) {
            moved.increment(count);
            LOG.debug("scheduler pass [moved: {}]", count);
          }
        })
        .onFailure(e -> LOG.warn("scheduler pass failed [cause: {}]", e.toString()))
        .onComplete(done -> busy = false);
  }
}
