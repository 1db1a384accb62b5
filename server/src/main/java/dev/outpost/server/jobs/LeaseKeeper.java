package dev.outpost.server.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the jobs a job-handler runs: renews them every third of the lease, many per
 * statement, and tells a handler whose job was canceled or taken over to stop; and sweeps the
 * expired leases of every job-handler (a dead one's jobs are run again, or failed once out of
 * attempts). Times come from the injected clock. Only the job-handler's context calls it.
 */
final class LeaseKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final Vertx vertx;
  private final JobStore store;
  private final Clock clock;
  private final String owner;
  private final Duration lease;
  private final int maxAttempts;
  private final int batch;
  private final Supplier<Collection<JobContext>> running;
  private boolean renewing;
  private long renewal = -1;
  private long sweeper = -1;

  /**
   * @param running the jobs this job-handler runs now, whose leases it keeps
   * @param batch the most leases one statement renews
   */
  LeaseKeeper(
      Vertx vertx,
      JobStore store,
      Clock clock,
      String owner,
      Duration lease,
      int maxAttempts,
      int batch,
      Supplier<Collection<JobContext>> running) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.owner = owner;
    this.lease = lease;
    this.maxAttempts = maxAttempts;
    this.batch = batch;
    this.running = running;
  }

  /** Starts renewing and sweeping on timers. */
  Future<Void> start() {
    renewal = vertx.setPeriodic(Math.max(100, lease.toMillis() / 3), tick -> renew());
    long every = Math.min(5000, Math.max(500, lease.toMillis() / 2));
    sweeper = vertx.setPeriodic(every, tick -> sweep());
    return Future.succeededFuture();
  }

  /** Stops the timers; a renewal under way ends as it would. */
  Future<Void> stop() {
    vertx.cancelTimer(sweeper);
    vertx.cancelTimer(renewal);
    return Future.succeededFuture();
  }

  /**
   * Extends the leases of every job running here, until a lease from now; a job missing from the
   * answer was canceled or taken over, and its handler is told to stop. Does nothing while the
   * previous renewal is under way.
   */
  Future<Void> renew() {
    Collection<JobContext> now = running.get();
    if (renewing || now.isEmpty()) {
      return Future.succeededFuture();
    }
    renewing = true;
    List<JobContext> jobs = List.copyOf(now);
    Future<Void> all = Future.succeededFuture();
    for (int from = 0; from < jobs.size(); from += batch) {
      List<JobContext> part = jobs.subList(from, Math.min(jobs.size(), from + batch));
      all =
          all.compose(
              previous ->
                  store
                      .renew(
                          part.stream().map(JobContext::job).toList(),
                          owner,
                          clock.instant().plus(lease))
                      .onSuccess(
                          ours ->
                              part.stream()
                                  .filter(job -> !ours.contains(job.job().activityId()))
                                  .forEach(JobContext::markCanceled))
                      .mapEmpty());
    }
    return all.onComplete(done -> renewing = false)
        .onFailure(e -> LOG.warn("lease renewal failed [cause: {}]", e.toString()));
  }

  /** Releases expired leases; the activities are published again, or failed out of attempts. */
  Future<Set<Long>> sweep() {
    return store
        .sweepExpired(clock.instant(), maxAttempts, lease)
        .onSuccess(
            ids -> {
              if (!ids.isEmpty()) {
                LOG.info("expired leases released, activities published again [ids: {}]", ids);
              }
            })
        .onFailure(e -> LOG.warn("lease sweep failed [cause: {}]", e.toString()));
  }
}
