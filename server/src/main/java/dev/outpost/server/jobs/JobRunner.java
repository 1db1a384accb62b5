package dev.outpost.server.jobs;

import dev.outpost.common.activity.Status;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the jobs the queue's messages name: claims their activities, many per statement; runs each
 * claimed job's handler on a thread of its own; writes the outcomes, many per statement; and only
 * then acks the messages. A message whose activity is not runnable (canceled, finished, another's)
 * is acked and dropped. Claimed jobs wait for one of the {@link #HANDLER_THREADS} threads by
 * account, and the threads take the accounts in turn: a job of one account starts at the next free
 * thread however many of another's were claimed before it. Only the job-handler's context calls it.
 */
final class JobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /** Handlers running at once at most; the other jobs held wait for a thread, leases renewed. */
  static final int HANDLER_THREADS = 16;

  private static final int FINISH_TRIES = 20;
  private static final long FINISH_RETRY_MS = 500;
  private static final long REQUEUE_AFTER_MS = 1000;

  /** What the runner needs besides the store: who it is, how long leases are, where files go. */
  record Settings(String owner, Duration lease, Path storage, int batch) {}

  /** A claimed job while it runs, and until its outcome is written. */
  private record Running(JobContext context, JobMessage message) {

    long activityId() {
      return context.job().activityId();
    }
  }

  /** An outcome waiting to be written, with the tries it has left. */
  private record Pending(Running running, JobStore.Outcome outcome, int tries) {}

  private final Vertx vertx;
  private final Context context;
  private final JobStore store;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, JobHandler> handlers;
  private final ServerMetrics metrics;
  private final Acks acks;

  /** Activities this job-handler is claiming or running. */
  private final Set<Long> claiming = new HashSet<>();

  /** Claimed jobs by activity id, until their outcome is written; leases are renewed for these. */
  private final Map<Long, Running> running = new HashMap<>();

  /** Claimed jobs waiting for a thread, by account, the account to be served next first. */
  private final Map<Long, ArrayDeque<Running>> waiting = new LinkedHashMap<>();

  /** Handlers running now, at most {@link #HANDLER_THREADS}. */
  private int busy;

  private WorkerExecutor handlerThreads;
  private Batcher<JobMessage> claims;
  private Batcher<Pending> outcomes;

  /**
   * Set once the job-handler stops: a handler ending after that was cut short (its thread
   * interrupted), not failed, so its job is left to its lease and run again elsewhere.
   */
  private boolean stopping;

  /**
   * A runner of the given handlers by activity type, called on {@code context} and acking through
   * {@code acks}.
   */
  JobRunner(
      Vertx vertx,
      Context context,
      JobStore store,
      Clock clock,
      Settings settings,
      Map<String, JobHandler> handlers,
      ServerMetrics metrics,
      Acks acks) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.handlers = Map.copyOf(handlers);
    this.metrics = metrics;
    this.acks = acks;
  }

  /** Readies the handlers' threads and the batches. */
  Future<Void> start() {
    handlerThreads = vertx.createSharedWorkerExecutor("outpost-job-handlers", HANDLER_THREADS);
    claims = new Batcher<>(context, settings.batch(), this::claim);
    outcomes = new Batcher<>(context, settings.batch(), this::finish);
    return Future.succeededFuture();
  }

  /**
   * Stops finishing jobs: from now on a job claimed is not started and a handler that ends is left
   * to its lease. Completes once the outcomes of the jobs that already ended are written.
   */
  Future<Void> stop() {
    stopping = true;
    return outcomes == null ? Future.succeededFuture() : outcomes.drained();
  }

  /** Frees the handlers' threads, interrupting the handlers still running. */
  Future<Void> close() {
    return handlerThreads == null ? Future.succeededFuture() : handlerThreads.close();
  }

  /** The jobs running here, whose leases are to be kept. */
  Collection<JobContext> running() {
    return running.values().stream().map(Running::context).toList();
  }

  /** Takes a message: its activity joins the next claim, unless it is already running here. */
  void offer(JobMessage message) {
    if (!claiming.add(message.activityId())) {
      LOG.debug(
          "job message for an activity already running here dropped [id: {}]",
          message.activityId());
      acks.ack(message.channel(), List.of(message.tag()));
      return;
    }
    claims.add(message);
  }

  /** Claims a batch of messages' activities and starts the jobs claimed. */
  private Future<?> claim(List<JobMessage> batch) {
    List<Long> ids = batch.stream().map(JobMessage::activityId).toList();
    return store
        .claim(ids, settings.owner(), clock.instant(), settings.lease())
        .onSuccess(
            jobs -> {
              Map<Long, Job> claimed = new HashMap<>();
              jobs.forEach(job -> claimed.put(job.activityId(), job));
              Map<Long, List<Long>> dropped = new HashMap<>();
              for (JobMessage message : batch) {
                Job job = claimed.get(message.activityId());
                if (job != null) {
                  run(
                      new Running(
                          new JobContext(job, vertx, store, settings.storage(), clock), message));
                } else {
                  LOG.debug(
                      "job message for an activity not runnable dropped [id: {}]",
                      message.activityId());
                  claiming.remove(message.activityId());
                  dropped
                      .computeIfAbsent(message.channel(), c -> new ArrayList<>())
                      .add(message.tag());
                }
              }
              dropped.forEach(acks::ack);
            })
        .onFailure(
            e -> {
              // Nothing was committed (the database did not answer): give the messages back after a
              // pause. A redelivery finds the activity claimable again, or leased and left to the
              // sweep.
              LOG.warn(
                  "jobs not claimed, messages requeued [ids: {}, cause: {}]", ids, e.toString());
              batch.forEach(this::released);
            });
  }

  /** Has a claimed job wait for a thread behind its own account's, and starts what may start. */
  private void run(Running job) {
    if (stopping) { // claimed as the job-handler stops
      leftToLease(job);
      return;
    }
    running.put(job.activityId(), job);
    waiting.computeIfAbsent(job.context().job().accountId(), a -> new ArrayDeque<>()).add(job);
    startWaiting();
  }

  /**
   * Starts waiting jobs while threads are free, one account's after another's: the account served
   * goes to the back of the turn.
   */
  private void startWaiting() {
    while (!stopping && busy < HANDLER_THREADS && !waiting.isEmpty()) {
      Iterator<Map.Entry<Long, ArrayDeque<Running>>> accounts = waiting.entrySet().iterator();
      Map.Entry<Long, ArrayDeque<Running>> next = accounts.next();
      accounts.remove();
      Running job = next.getValue().poll();
      if (!next.getValue().isEmpty()) {
        waiting.put(next.getKey(), next.getValue());
      }
      start(job);
    }
  }

  /** Runs a claimed job's handler; its outcome joins the next batch of outcomes to write. */
  private void start(Running job) {
    busy++;
    Job claimed = job.context().job();
    // the job runs on a context of its own that holds its activity's id: the handler's lines, and
    // those of its continuations, carry it; the outcome is handled back on this one
    Mdc.within(
            Mdc.ACTIVITY,
            Long.toString(claimed.activityId()),
            () -> {
              LOG.info(
                  "job started [id: {}, type: {}, attempt: {}]",
                  claimed.activityId(),
                  claimed.type(),
                  claimed.attempt());
              return execute(job.context());
            })
        .onComplete(
            outcome -> {
              busy--;
              startWaiting();
              if (stopping) {
                leftToLease(job);
                return;
              }
              if (job.context().isCanceled() || outcome.cause() instanceof JobCanceledException) {
                try (var mdc = Mdc.activity(job.activityId())) {
                  LOG.info("job stopped: canceled or taken over [id: {}]", job.activityId());
                }
                done(job);
                acks.ack(job.message().channel(), List.of(job.message().tag()));
                return;
              }
              Status status = outcome.succeeded() ? Status.SUCCEEDED : Status.FAILED;
              String text = outcome.succeeded() ? outcome.result() : failureText(outcome.cause());
              outcomes.add(
                  new Pending(job, new JobStore.Outcome(claimed, status, text), FINISH_TRIES));
            });
  }

  private Future<String> execute(JobContext context) {
    if (context.isCanceled()) { // canceled or taken over while it waited for a thread
      return Future.failedFuture(new JobCanceledException(context.job().activityId()));
    }
    JobHandler handler = handlers.get(context.job().type());
    if (handler == null) {
      return Future.failedFuture("no handler for " + context.job().type());
    }
    // Unordered: jobs run side by side on the handlers' threads, and the job-handler's own
    // context stays free for lease renewals, acks and new messages while a handler blocks.
    return handlerThreads
        .executeBlocking(() -> handler.run(context), false)
        .compose(result -> result);
  }

  /**
   * Writes a batch of outcomes, then acks their messages. While the database does not answer they
   * are tried again: the work is done, and running it again after the lease expires would cost more
   * than waiting out a short outage.
   */
  private Future<?> finish(List<Pending> batch) {
    List<JobStore.Outcome> written = batch.stream().map(Pending::outcome).toList();
    return store
        .finish(written, settings.owner(), clock.instant())
        .onSuccess(
            ids -> {
              Map<Long, List<Long>> tags = new HashMap<>();
              for (Pending pending : batch) {
                Running job = pending.running();
                Status status = pending.outcome().status();
                boolean stored = ids.contains(job.activityId());
                if (stored) {
                  // one canceled or taken over meanwhile ended otherwise, and is counted there
                  metrics.jobsFinished(status.wireName()).increment();
                }
                try (var mdc = Mdc.activity(job.activityId())) {
                  LOG.info(
                      "job finished [id: {}, status: {}, written: {}]",
                      job.activityId(),
                      status,
                      stored);
                }
                done(job);
                tags.computeIfAbsent(job.message().channel(), c -> new ArrayList<>())
                    .add(job.message().tag());
              }
              tags.forEach(acks::ack);
              // their accounts have room in the queue again: this process's relay fills it
              vertx.eventBus().send(OutboxRelay.JOBS_ENDED, null);
            })
        .onFailure(
            e -> {
              LOG.warn(
                  "job outcomes not written, {} [ids: {}, cause: {}]",
                  stopping ? "left to their leases" : "trying again",
                  batch.stream().map(p -> p.running().activityId()).toList(),
                  e.toString());
              for (Pending pending : batch) {
                if (stopping) {
                  done(pending.running()); // left to its lease
                } else if (pending.tries() <= 1) {
                  done(pending.running());
                  released(pending.running().message());
                } else {
                  vertx.setTimer(
                      FINISH_RETRY_MS,
                      t ->
                          outcomes.add(
                              new Pending(
                                  pending.running(), pending.outcome(), pending.tries() - 1)));
                }
              }
            });
  }

  /** Logs a job this job-handler will not finish: once its lease runs out another runs it. */
  private static void leftToLease(Running job) {
    LOG.info("job left to its lease: the job-handler is stopping [id: {}]", job.activityId());
  }

  /** Forgets a job whose outcome is written, or that is no longer this job-handler's. */
  private void done(Running job) {
    running.remove(job.activityId());
    claiming.remove(job.activityId());
  }

  /** Gives a message back after a pause, its activity no longer being claimed here. */
  private void released(JobMessage message) {
    claiming.remove(message.activityId());
    vertx.setTimer(REQUEUE_AFTER_MS, t -> acks.requeue(message.channel(), message.tag()));
  }

  /**
   * What a failed job's result says. A file system error names the server's paths, which are no
   * admin's business: its kind and reason are said, the paths go to the log.
   */
  static String failureText(Throwable cause) {
    if (cause instanceof FileSystemException files) {
      LOG.warn("job failed on the server's files [problem: {}]", files.toString());
      return "the server's storage failed: "
          + files.getClass().getSimpleName()
          + (files.getReason() == null ? "" : " (" + files.getReason() + ")");
    }
    if (cause instanceof UncheckedIOException unchecked) {
      return failureText(unchecked.getCause());
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
