package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running script: its output read on a worker thread, its exit awaited without holding a thread,
 * its time limit kept by a timer that kills the whole process group. Once its process ended, the
 * output is read for {@link #GRACE} at most: what it started may keep the pipe open for ever, and
 * the reading, the thread and the result must not wait for that.
 */
final class ScriptRun {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptRun.class);

  /** Script output kept, as in the Landscape Client. */
  static final int MAX_OUTPUT = 512 * 1024;

  /** How long output is still read after the script's process ended. */
  static final Duration GRACE = Duration.ofSeconds(2);

  /** How often output printed since is sent on while the script runs, at most. */
  static final Duration LIVE_INTERVAL = Duration.ofMillis(250);

  /** How long a canceled script has between SIGTERM and SIGKILL. */
  static final Duration CANCEL_GRACE = Duration.ofSeconds(2);

  /**
   * How a script ended.
   *
   * @param timedOut whether it was killed at its time limit
   * @param canceled whether it was stopped because the server canceled it
   */
  record Outcome(int exitCode, boolean timedOut, boolean canceled, String output) {}

  private final Vertx vertx;
  private final Process process;
  private final OutputPipe pipe;
  private final boolean ownGroup;
  private final LiveOutput live = new LiveOutput();
  private final CappedOutput output = new CappedOutput(MAX_OUTPUT, live);
  private final OperationContext context;
  private final Promise<Outcome> outcome = Promise.promise();
  private volatile boolean timedOut;
  private volatile boolean canceled;

  private ScriptRun(
      Vertx vertx, Process process, OutputPipe pipe, boolean ownGroup, OperationContext context) {
    this.vertx = vertx;
    this.context = context;
    this.process = process;
    this.pipe = pipe;
    this.ownGroup = ownGroup;
  }

  /**
   * Watches a started script until it ended: its process exited (or was killed at its time limit)
   * and its output closed, or {@link #GRACE} passed after the exit.
   *
   * @param readers worker threads that read output; one is held per running script
   * @param timeLeft the time the script may still run, if it has a limit
   * @param context where the output goes while the script runs, a chunk every {@link
   *     #LIVE_INTERVAL} at most
   */
  static ScriptRun watch(
      Vertx vertx,
      WorkerExecutor readers,
      Process process,
      OutputPipe pipe,
      boolean ownGroup,
      Optional<Duration> timeLeft,
      OperationContext context) {
    ScriptRun run = new ScriptRun(vertx, process, pipe, ownGroup, context);
    Future<Void> drained =
        readers.executeBlocking(
            () -> {
              run.output.drain(pipe.channel());
              return null;
            },
            false);
    Future<Process> exited =
        Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext());
    long timer =
        timeLeft
            .map(limit -> vertx.setTimer(Math.max(1, limit.toMillis()), id -> run.timeUp()))
            .orElse(-1L);
    exited.onComplete(
        done -> {
          vertx.cancelTimer(timer);
          long grace = vertx.setTimer(GRACE.toMillis(), id -> run.stopReading());
          drained.onComplete(read -> vertx.cancelTimer(grace));
        });
    long live = vertx.setPeriodic(LIVE_INTERVAL.toMillis(), id -> run.sendLive());
    Future.join(drained, exited)
        .onComplete(
            done -> {
              vertx.cancelTimer(live);
              run.finish();
            });
    return run;
  }

  /** Completes when the script ended and its output is read. */
  Future<Outcome> outcome() {
    return outcome.future();
  }

  /** Kills the script and all it started. */
  Future<Void> kill() {
    return vertx.executeBlocking(
        () -> {
          ProcessTree.kill(process.toHandle(), ownGroup);
          return null;
        },
        false);
  }

  /**
   * Stops the script and all it started because the server canceled it: SIGTERM, then SIGKILL after
   * {@link #CANCEL_GRACE}.
   */
  Future<Void> cancel() {
    canceled = true;
    return vertx.executeBlocking(
        () -> {
          ProcessTree.terminate(process.toHandle(), ownGroup, CANCEL_GRACE);
          return null;
        },
        false);
  }

  private void timeUp() {
    timedOut = true;
    kill();
  }

  /** Ends the reading: a process the script started still holds its output open. */
  private void stopReading() {
    LOG.info("script output still open after its end, no longer read [pid: {}]", process.pid());
    vertx.executeBlocking(
        () -> {
          closePipe();
          return null;
        },
        false);
  }

  /** Sends what was printed since the last chunk, one chunk. */
  private void sendLive() {
    live.take().ifPresent(chunk -> context.output(chunk.offset(), chunk.text()));
  }

  /** Sends the rest of the output, all of it queued before the result is. */
  private Future<Void> sendRest() {
    live.end();
    List<Future<Void>> sent = new ArrayList<>();
    for (Optional<LiveOutput.Chunk> chunk = live.take(); chunk.isPresent(); chunk = live.take()) {
      sent.add(context.output(chunk.get().offset(), chunk.get().text()));
    }
    return Future.join(sent).mapEmpty();
  }

  private void finish() {
    closePipe();
    int exitCode = process.isAlive() ? -1 : process.exitValue();
    Outcome ended = new Outcome(exitCode, timedOut, canceled, output.text());
    // output the server missed is in the result anyway: a failure to queue it is not the script's
    sendRest().onComplete(sent -> outcome.tryComplete(ended));
  }

  private void closePipe() {
    try {
      pipe.close();
    } catch (IOException e) {
      LOG.debug("output pipe not closed cleanly [problem: {}]", e.toString());
    }
  }
}
