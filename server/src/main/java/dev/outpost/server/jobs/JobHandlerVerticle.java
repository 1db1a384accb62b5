package dev.outpost.server.jobs;

import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-handler: the {@link JobConsumer} takes the job queue's messages (manual ack, bounded
 * prefetch), the {@link JobRunner} claims their activities, runs the handlers and writes the
 * outcomes before the acks, and the {@link LeaseKeeper} renews the leases of the jobs running and
 * sweeps expired ones. Claims, renewals, outcomes and acks each go many jobs per statement (or
 * ack). Deployed as a worker verticle, whose context the three share; handlers may block, and run
 * on threads of their own, so that however many jobs are held, this context and the broker client's
 * calls (which use the shared worker pool) stay free for lease renewals and acks.
 */
public final class JobHandlerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(JobHandlerVerticle.class);

  /** How the verticle is set up. */
  public record Settings(
      String amqpUrl, String queue, int prefetch, Duration lease, int maxAttempts, Path storage) {}

  /** The most jobs one claim, renewal or outcome statement names. */
  private static final int BATCH = 1000;

  private final JobStore store;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, JobHandler> handlers;
  private final ServerMetrics metrics;
  private final String owner = "job-handler:" + UUID.randomUUID().toString().substring(0, 8);
  private JobConsumer consumer;
  private JobRunner runner;
  private LeaseKeeper leases;

  /** Creates a job-handler running the given handlers by activity type. */
  public JobHandlerVerticle(
      Pool pool,
      Clock clock,
      Settings settings,
      Map<String, JobHandler> handlers,
      ServerMetrics metrics) {
    this.store = new JobStore(pool);
    this.clock = clock;
    this.settings = settings;
    this.handlers = Map.copyOf(handlers);
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    consumer = new JobConsumer(vertx, settings.amqpUrl(), settings.queue(), settings.prefetch());
    runner =
        new JobRunner(
            vertx,
            context,
            store,
            clock,
            new JobRunner.Settings(owner, settings.lease(), settings.storage(), BATCH),
            handlers,
            metrics,
            consumer.acks());
    leases =
        new LeaseKeeper(
            vertx,
            store,
            clock,
            owner,
            settings.lease(),
            settings.maxAttempts(),
            BATCH,
            runner::running);
    return runner
        .start()
        .compose(ready -> consumer.start(runner::offer))
        .compose(consuming -> leases.start())
        .onSuccess(
            started ->
                LOG.info(
                    "job-handler started [owner: {}, queue: {}, prefetch: {}]",
                    owner,
                    settings.queue(),
                    settings.prefetch()));
  }

  /**
   * Stops taking jobs, writes the outcomes of the jobs that already ended, and closes the broker
   * connection; jobs still running are left to their leases, so another job-handler runs them.
   */
  @Override
  public Future<?> stop() {
    // The runner first: a job claimed or a handler ending from now on is left to its lease.
    Future<Void> written = runner.stop();
    return leases
        .stop()
        .compose(stopped -> consumer.cancel())
        .transform(canceled -> written)
        .transform(done -> consumer.stop())
        .eventually(runner::close);
  }

  /** The lease owner name of this job-handler. */
  public String owner() {
    return owner;
  }
}
