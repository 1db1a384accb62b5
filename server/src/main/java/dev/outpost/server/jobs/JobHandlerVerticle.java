package dev.outpost.server.jobs;

import dev.outpost.common.activity.Status;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-handler: consumes the job queue with manual ack and bounded prefetch, claims each
 * activity, runs its handler under a renewed lease, writes the outcome, and only then acks.
 * Deployed as a worker verticle; handlers run on the worker pool and may block.
 */
public final class JobHandlerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(JobHandlerVerticle.class);

  /** How the verticle is set up. */
  public record Settings(String amqpUrl, String queue, int prefetch, Duration lease,
      int maxAttempts, Path storage) {
  }

  private static final int FINISH_TRIES = 20;
  private static final long FINISH_RETRY_MS = 500;

  private final Pool pool;
  private final JobStore store;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, JobHandler> handlers;
  private final ServerMetrics metrics;
  private final String owner = "job-handler:" + UUID.randomUUID().toString().substring(0, 8);
  /** Activities this job-handler is claiming or running; only its own context touches it. */
  private final Set<Long> running = new HashSet<>();
  private RabbitMQClient client;
  private RabbitMQConsumer consumer;
  private long channelGeneration;
  private long sweeper;

  /** Creates a job-handler running the given handlers by activity type. */
  public JobHandlerVerticle(Pool pool, Clock clock, Settings settings,
      Map<String, JobHandler> handlers, ServerMetrics metrics) {
    this.metrics = metrics;
    this.pool = pool;
    this.store = new JobStore(pool);
    this.clock = clock;
    this.settings = settings;
    this.handlers = Map.copyOf(handlers);
  }

  @Override
  public Future<?> start() {
    return Broker.connect(vertx, settings.amqpUrl(), settings.queue(), this::onConnected)
        .compose(connected -> {
          client = connected;
          // The client re-subscribes this consumer by itself after a reconnection.
          return connected.basicConsumer(settings.queue(),
              new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(settings.prefetch()));
        })
        .onSuccess(subscribed -> {
          consumer = subscribed;
          consumer.handler(this::handle);
          long every = Math.min(5000, Math.max(500, settings.lease().toMillis() / 2));
          sweeper = vertx.setPeriodic(every, tick -> sweep());
          LOG.info("job-handler started [owner: {}, queue: {}]", owner, settings.queue());
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    // Cancel first: a consumer still subscribed when the connection closes is restarted.
    Future<Void> canceled = consumer == null ? Future.succeededFuture() : consumer.cancel();
    return canceled.transform(done -> client == null ? Future.succeededFuture() : client.stop());
  }

  /** The lease owner name of this job-handler. */
  public String owner() {
    return owner;
  }

  /** On every (re)connection: the prefetch bound, and a new channel generation for acks. */
  private Future<?> onConnected(RabbitMQClient connected) {
    channelGeneration++;
    return connected.basicQos(settings.prefetch());
  }

  /**
   * Acks a delivery, unless it came on a channel that has since gone: the broker requeued it
   * then, and a stale tag on the new channel would close that channel too.
   */
  private void ack(long generation, long tag, boolean success) {
    if (generation != channelGeneration) {
      return;
    }
    try {
      (success ? client.basicAck(tag, false) : client.basicNack(tag, false, true))
          .onFailure(e -> LOG.debug("ack not sent, the broker requeues [cause: {}]", e.toString()));
    } catch (RuntimeException e) {
      // The client throws instead of failing when the connection is already gone.
      LOG.debug("ack not sent, the broker requeues [cause: {}]", e.toString());
    }
  }

  private void handle(RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    long generation = channelGeneration;
    Optional<Long> activityId = activityId(message);
    if (activityId.isEmpty()) {
      LOG.warn("unreadable job message dropped [body: {}]", message.body());
      ack(generation, tag, true);
      return;
    }
    if (!running.add(activityId.get())) {
      LOG.debug("job message for an activity already running here dropped [id: {}]",
          activityId.get());
      ack(generation, tag, true);
      return;
    }
    store.claim(activityId.get(), owner, clock.instant(), settings.lease())
        .compose(claimed -> claimed.map(this::run).orElseGet(() -> {
          LOG.debug("job message for an activity not runnable dropped [id: {}]", activityId.get());
          return Future.succeededFuture();
        }))
        .onComplete(done -> running.remove(activityId.get()))
        .onSuccess(done -> ack(generation, tag, true))
        .onFailure(e -> {
          // Nothing was committed (the database did not answer): give the message back after a
          // pause. A redelivery finds the activity claimable again, or leased and left to the sweep.
          LOG.warn("job not completed, message requeued [id: {}, cause: {}]", activityId.get(),
              e.toString());
          vertx.setTimer(1000, t -> ack(generation, tag, false));
        });
  }

  /** Runs a claimed job and commits its outcome; the future completes once it is committed. */
  private Future<Void> run(Job job) {
    JobContext context = new JobContext(job, vertx, pool, store, settings.storage(), clock);
    long renewEvery = Math.max(100, settings.lease().toMillis() / 3);
    long renewal = vertx.setPeriodic(renewEvery, tick -> store.renew(job, clock.instant()
            .plus(settings.lease()))
        .onSuccess(ours -> {
          if (!ours) {
            context.markCanceled();
          }
        }));
    LOG.info("job started [id: {}, type: {}, attempt: {}]", job.activityId(), job.type(),
        job.attempt());
    return execute(job, context)
        .transform(outcome -> {
          vertx.cancelTimer(renewal);
          if (context.isCanceled() || outcome.cause() instanceof JobCanceledException) {
            LOG.info("job stopped: canceled or taken over [id: {}]", job.activityId());
            return Future.succeededFuture();
          }
          Status status = outcome.succeeded() ? Status.SUCCEEDED : Status.FAILED;
          String text = outcome.succeeded() ? outcome.result() : failureText(outcome.cause());
          return finish(job, status, text, FINISH_TRIES)
              .onSuccess(written -> {
                metrics.jobsFinished(status.wireName()).increment();
                LOG.info("job finished [id: {}, status: {}, written: {}]", job.activityId(),
                    status, written);
              })
              .mapEmpty();
        });
  }

  /**
   * Writes the outcome, trying again while the database does not answer: the work is done, and
   * running it again after the lease expires would cost more than waiting out a short outage.
   */
  private Future<Boolean> finish(Job job, Status status, String text, int tries) {
    return store.finish(job, status, text, clock.instant())
        .recover(e -> {
          if (tries <= 1) {
            return Future.failedFuture(e);
          }
          LOG.warn("job outcome not written, trying again [id: {}, cause: {}]", job.activityId(),
              e.toString());
          return vertx.timer(FINISH_RETRY_MS).compose(t -> finish(job, status, text, tries - 1));
        });
  }

  private Future<String> execute(Job job, JobContext context) {
    JobHandler handler = handlers.get(job.type());
    if (handler == null) {
      return Future.failedFuture("no handler for " + job.type());
    }
    // Unordered: jobs run side by side on the worker pool, and this verticle's own context stays
    // free for lease renewals, acks and new messages while a handler blocks.
    return vertx.executeBlocking(() -> handler.run(context), false).compose(result -> result);
  }

  private static String failureText(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private void sweep() {
    store.sweepExpired(clock.instant(), settings.maxAttempts(), settings.lease())
        .onSuccess(ids -> {
          if (!ids.isEmpty()) {
            LOG.info("expired leases released, activities published again [ids: {}]", ids);
          }
        })
        .onFailure(e -> LOG.warn("lease sweep failed [cause: {}]", e.toString()));
  }

  private static Optional<Long> activityId(RabbitMQMessage message) {
    try {
      return Optional.ofNullable(new JsonObject(message.body()).getLong("activity_id"));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
