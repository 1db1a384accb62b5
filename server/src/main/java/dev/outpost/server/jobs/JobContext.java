package dev.outpost.server.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What a handler may use while it runs a job: the job, Vert.x, the storage directory, the clock,
 * progress and cancellation. The stores a handler needs are given to it when it is made.
 */
public final class JobContext {

  private final Job job;
  private final Vertx vertx;
  private final JobStore store;
  private final Path storage;
  private final Clock clock;
  private volatile boolean canceled;

  JobContext(Job job, Vertx vertx, JobStore store, Path storage, Clock clock) {
    this.job = job;
    this.vertx = vertx;
    this.store = store;
    this.storage = storage;
    this.clock = clock;
  }

  /** The claimed activity. */
  public Job job() {
    return job;
  }

  /** The Vert.x instance, for HTTP clients and timers. */
  public Vertx vertx() {
    return vertx;
  }

  /** Where server activities keep files (mirrors, reports). */
  public Path storage() {
    return storage;
  }

  /** The server's clock. */
  public Clock clock() {
    return clock;
  }

  /** Reports progress, 0 to 100, visible in the activity's {@code progress}. */
  public Future<Boolean> progress(int percent) {
    return store.progress(job, Math.max(0, Math.min(100, percent)));
  }

  /** Whether the activity was canceled (or taken over) while running. */
  public boolean isCanceled() {
    return canceled;
  }

  /** Stops the handler at this point when the activity is no longer its to run. */
  public void checkCanceled() {
    if (canceled) {
      throw new JobCanceledException(job.activityId());
    }
  }

  void markCanceled() {
    canceled = true;
  }
}
