package dev.outpost.server.jobs;

import dev.outpost.common.activity.Status;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-handler: consumes the job queue with manual ack and bounded prefetch, claims the
 * activities, runs their handlers under renewed leases, writes the outcomes, and only then acks.
 * Claims, lease renewals, outcomes and acks are each gathered into batches, one statement (or
 * one ack) for many jobs, so a busy job-handler pays per batch rather than per job.
 * Deployed as a worker verticle; handlers may block, and run on a pool of their own, so that
 * however many jobs are held, this verticle's context and the broker client's calls (which use
 * the shared worker pool) stay free for lease renewals and acks.
 */
public final class JobHandlerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(JobHandlerVerticle.class);

  /** How the verticle is set up. */
  public record Settings(String amqpUrl, String queue, int prefetch, Duration lease,
      int maxAttempts, Path storage) {
  }

  private static final int FINISH_TRIES = 20;
  private static final long FINISH_RETRY_MS = 500;
  private static final long REQUEUE_AFTER_MS = 1000;
  /** The most jobs one claim, renewal or outcome statement names. */
  private static final int BATCH = 1000;

  /** A queue message naming an activity, on the channel it came on. */
  private record Delivery(long activityId, long channel, long tag) {
  }

  /** A claimed job while it runs, and until its outcome is written. */
  private record Running(Job job, Delivery delivery, JobContext context) {
  }

  /** An outcome waiting to be written, with the tries it has left. */
  private record Pending(Running running, JobStore.Outcome outcome, int tries) {
  }

  private final Pool pool;
  private final JobStore store;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, JobHandler> handlers;
  private final ServerMetrics metrics;
  private final String owner = "job-handler:" + UUID.randomUUID().toString().substring(0, 8);
  /** Activities this job-handler is claiming or running; only its own context touches it. */
  private final Set<Long> claiming = new HashSet<>();
  /** Claimed jobs by activity id, until their outcome is written; leases are renewed for these. */
  private final Map<Long, Running> running = new HashMap<>();
  private final Acks acks;
  /** Handlers running at once at most; the other jobs held wait for a thread, leases renewed. */
  static final int HANDLER_THREADS = 16;

  private WorkerExecutor handlerThreads;
  private Batcher<Delivery> claims;
  private Batcher<Pending> outcomes;
  private RabbitMQClient client;
  private RabbitMQConsumer consumer;
  private boolean renewing;
  /**
   * Set once the verticle is being undeployed: a handler ending after that was cut short (its
   * thread interrupted), not failed, so its job is left to its lease and run again elsewhere.
   */
  private boolean stopping;
  private long renewal;
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
    this.acks = new Acks(new Acks.Channel() {
      @Override
      public Future<Void> ack(long tag, boolean multiple) {
        return client.basicAck(tag, multiple);
      }

      @Override
      public Future<Void> requeue(long tag) {
        return client.basicNack(tag, false, true);
      }
    });
  }

  @Override
  public Future<?> start() {
    handlerThreads = vertx.createSharedWorkerExecutor("outpost-job-handlers", HANDLER_THREADS);
    claims = new Batcher<>(context, BATCH, this::claim);
    outcomes = new Batcher<>(context, BATCH, this::finish);
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
          renewal = vertx.setPeriodic(Math.max(100, settings.lease().toMillis() / 3),
              tick -> renew());
          long every = Math.min(5000, Math.max(500, settings.lease().toMillis() / 2));
          sweeper = vertx.setPeriodic(every, tick -> sweep());
          LOG.info("job-handler started [owner: {}, queue: {}, prefetch: {}]", owner,
              settings.queue(), settings.prefetch());
        });
  }

  /**
   * Stops taking jobs, writes the outcomes of the jobs that already ended, and closes the broker
   * connection; jobs still running are left to their leases, so another job-handler runs them.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(sweeper);
    vertx.cancelTimer(renewal);
    // Cancel first: a consumer still subscribed when the connection closes is restarted.
    Future<Void> canceled = consumer == null ? Future.succeededFuture() : consumer.cancel();
    return canceled.transform(done -> outcomes.drained())
        .transform(done -> client == null ? Future.succeededFuture() : client.stop())
        .eventually(() -> handlerThreads.close());
  }

  /** The lease owner name of this job-handler. */
  public String owner() {
    return owner;
  }

  /** On every (re)connection: the prefetch bound, and a new channel for acks. */
  private Future<?> onConnected(RabbitMQClient connected) {
    acks.newChannel();
    return connected.basicQos(settings.prefetch());
  }

  private void handle(RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    long channel = acks.channel();
    acks.received(tag);
    Optional<Long> activityId = activityId(message);
    if (activityId.isEmpty()) {
      LOG.warn("unreadable job message dropped [body: {}]", message.body());
      acks.ack(channel, List.of(tag));
      return;
    }
    if (!claiming.add(activityId.get())) {
      LOG.debug("job message for an activity already running here dropped [id: {}]",
          activityId.get());
      acks.ack(channel, List.of(tag));
      return;
    }
    claims.add(new Delivery(activityId.get(), channel, tag));
  }

  /** Claims a batch of deliveries' activities and starts the jobs claimed. */
  private Future<?> claim(List<Delivery> batch) {
    List<Long> ids = batch.stream().map(Delivery::activityId).toList();
    return store.claim(ids, owner, clock.instant(), settings.lease())
        .onSuccess(jobs -> {
          Map<Long, Job> claimed = new HashMap<>();
          jobs.forEach(job -> claimed.put(job.activityId(), job));
          Map<Long, List<Long>> dropped = new HashMap<>();
          for (Delivery delivery : batch) {
            Job job = claimed.get(delivery.activityId());
            if (job != null) {
              run(new Running(job, delivery, new JobContext(job, vertx, pool, store,
                  settings.storage(), clock)));
            } else {
              LOG.debug("job message for an activity not runnable dropped [id: {}]",
                  delivery.activityId());
              claiming.remove(delivery.activityId());
              dropped.computeIfAbsent(delivery.channel(), c -> new ArrayList<>())
                  .add(delivery.tag());
            }
          }
          dropped.forEach(acks::ack);
        })
        .onFailure(e -> {
          // Nothing was committed (the database did not answer): give the messages back after a
          // pause. A redelivery finds the activity claimable again, or leased and left to the sweep.
          LOG.warn("jobs not claimed, messages requeued [ids: {}, cause: {}]", ids, e.toString());
          batch.forEach(delivery -> released(delivery));
        });
  }

  /** Runs a claimed job; its outcome joins the next batch of outcomes to write. */
  private void run(Running job) {
    if (stopping) {   // claimed as the job-handler stops
      leftToLease(job);
      return;
    }
    running.put(job.job().activityId(), job);
    LOG.info("job started [id: {}, type: {}, attempt: {}]", job.job().activityId(),
        job.job().type(), job.job().attempt());
    execute(job.job(), job.context()).onComplete(outcome -> {
      if (stopping) {
        leftToLease(job);
        return;
      }
      if (job.context().isCanceled() || outcome.cause() instanceof JobCanceledException) {
        LOG.info("job stopped: canceled or taken over [id: {}]", job.job().activityId());
        done(job);
        acks.ack(job.delivery().channel(), List.of(job.delivery().tag()));
        return;
      }
      Status status = outcome.succeeded() ? Status.SUCCEEDED : Status.FAILED;
      String text = outcome.succeeded() ? outcome.result() : failureText(outcome.cause());
      outcomes.add(new Pending(job, new JobStore.Outcome(job.job(), status, text), FINISH_TRIES));
    });
  }

  /**
   * Writes a batch of outcomes, then acks their messages. While the database does not answer
   * they are tried again: the work is done, and running it again after the lease expires would
   * cost more than waiting out a short outage.
   */
  private Future<?> finish(List<Pending> batch) {
    List<JobStore.Outcome> written = batch.stream().map(Pending::outcome).toList();
    return store.finish(written, owner, clock.instant())
        .onSuccess(ids -> {
          Map<Long, List<Long>> tags = new HashMap<>();
          for (Pending pending : batch) {
            Running job = pending.running();
            Status status = pending.outcome().status();
            boolean stored = ids.contains(job.job().activityId());
            if (stored) {
              // one canceled or taken over meanwhile ended otherwise, and is counted there
              metrics.jobsFinished(status.wireName()).increment();
            }
            LOG.info("job finished [id: {}, status: {}, written: {}]", job.job().activityId(),
                status, stored);
            done(job);
            tags.computeIfAbsent(job.delivery().channel(), c -> new ArrayList<>())
                .add(job.delivery().tag());
          }
          tags.forEach(acks::ack);
        })
        .onFailure(e -> {
          LOG.warn("job outcomes not written, {} [ids: {}, cause: {}]",
              stopping ? "left to their leases" : "trying again",
              batch.stream().map(p -> p.running().job().activityId()).toList(), e.toString());
          for (Pending pending : batch) {
            if (stopping) {
              done(pending.running());   // left to its lease
            } else if (pending.tries() <= 1) {
              done(pending.running());
              released(pending.running().delivery());
            } else {
              vertx.setTimer(FINISH_RETRY_MS, t -> outcomes.add(
                  new Pending(pending.running(), pending.outcome(), pending.tries() - 1)));
            }
          }
        });
  }

  /** Logs a job this job-handler will not finish: once its lease runs out another runs it. */
  private static void leftToLease(Running job) {
    LOG.info("job left to its lease: the job-handler is stopping [id: {}]",
        job.job().activityId());
  }

  /** Forgets a job whose outcome is written, or that is no longer this job-handler's. */
  private void done(Running job) {
    running.remove(job.job().activityId());
    claiming.remove(job.job().activityId());
  }

  /** Gives a message back after a pause, its activity no longer being claimed here. */
  private void released(Delivery delivery) {
    claiming.remove(delivery.activityId());
    vertx.setTimer(REQUEUE_AFTER_MS, t -> acks.requeue(delivery.channel(), delivery.tag()));
  }

  /**
   * Extends the leases of every job running here in one statement; a job missing from the
   * answer was canceled or taken over, and its handler is told to stop.
   */
  private void renew() {
    if (renewing || running.isEmpty()) {
      return;
    }
    renewing = true;
    List<Running> jobs = new ArrayList<>(running.values());
    Future<Void> all = Future.succeededFuture();
    for (int from = 0; from < jobs.size(); from += BATCH) {
      List<Running> batch = jobs.subList(from, Math.min(jobs.size(), from + BATCH));
      all = all.compose(previous -> store.renew(batch.stream().map(Running::job).toList(), owner,
              clock.instant().plus(settings.lease()))
          .onSuccess(ours -> batch.stream()
              .filter(job -> !ours.contains(job.job().activityId()))
              .forEach(job -> job.context().markCanceled()))
          .mapEmpty());
    }
    all.onComplete(done -> renewing = false)
        .onFailure(e -> LOG.warn("lease renewal failed [cause: {}]", e.toString()));
  }

  private Future<String> execute(Job job, JobContext context) {
    JobHandler handler = handlers.get(job.type());
    if (handler == null) {
      return Future.failedFuture("no handler for " + job.type());
    }
    // Unordered: jobs run side by side on the handlers' threads, and this verticle's own context
    // stays free for lease renewals, acks and new messages while a handler blocks.
    return handlerThreads.executeBlocking(() -> handler.run(context), false)
        .compose(result -> result);
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
