package dev.outpost.server.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the scheduler's sweeps on a timer, one pass at a time. */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Scheduler scheduler;
  private final long intervalMs;
  private boolean busy;
  private long timer;

  /** Creates the verticle sweeping every {@code intervalMs}. */
  public SchedulerVerticle(Scheduler scheduler, long intervalMs) {
    this.scheduler = scheduler;
    this.intervalMs = intervalMs;
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
        .onSuccess(moved -> {
          if (moved > 0) {
            LOG.debug("scheduler pass [moved: {}]", moved);
          }
        })
        .onFailure(e -> LOG.warn("scheduler pass failed [cause: {}]", e.toString()))
        .onComplete(done -> busy = false);
  }
}
