package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.Optional;

/**
 * A running script: its output drained on a worker thread, its exit awaited without holding a
 * thread, its time limit kept by a timer that kills the whole process group.
 */
final class ScriptRun {

  /** Script output kept, as in the Landscape Client. */
  static final int MAX_OUTPUT = 512 * 1024;

  /**
   * How a script ended.
   *
   * @param timedOut whether it was killed at its time limit
   */
  record Outcome(int exitCode, boolean timedOut, String output) {
  }

  private final Vertx vertx;
  private final Process process;
  private final boolean ownGroup;
  private final CappedOutput output = new CappedOutput(MAX_OUTPUT);
  private final Promise<Outcome> outcome = Promise.promise();
  private boolean timedOut;

  private ScriptRun(Vertx vertx, Process process, boolean ownGroup) {
    this.vertx = vertx;
    this.process = process;
    this.ownGroup = ownGroup;
  }

  /**
   * Watches a started script until it ends: its process exited and its output closed, or its time
   * limit passed.
   *
   * @param drainers worker threads that read output; one is held per running script
   */
  static ScriptRun watch(Vertx vertx, WorkerExecutor drainers, Process process, boolean ownGroup,
      Optional<Duration> timeLimit) {
    ScriptRun run = new ScriptRun(vertx, process, ownGroup);
    Future<Void> drained = drainers.executeBlocking(() -> {
      run.output.drain(process.getInputStream());
      return null;
    }, false);
    Future<Process> exited = Future.fromCompletionStage(process.onExit(),
        vertx.getOrCreateContext());
    long timer = timeLimit.map(limit -> vertx.setTimer(Math.max(1, limit.toMillis()),
        id -> run.timeUp(exited))).orElse(-1L);
    Future.join(drained, exited).onComplete(done -> run.finish());
    run.outcome.future().onComplete(done -> vertx.cancelTimer(timer));
    return run;
  }

  /** Completes when the script ended. */
  Future<Outcome> outcome() {
    return outcome.future();
  }

  /** Kills the script and all it started. */
  Future<Void> kill() {
    return vertx.executeBlocking(() -> {
      ProcessTree.kill(process.toHandle(), ownGroup);
      return null;
    }, false);
  }

  private void timeUp(Future<Process> exited) {
    timedOut = true;
    // a process that escaped the group may keep the output open: do not wait for its end
    kill().eventually(() -> exited).onComplete(done -> finish());
  }

  private void finish() {
    int exitCode = process.isAlive() ? -1 : process.exitValue();
    outcome.tryComplete(new Outcome(exitCode, timedOut, output.text()));
  }
}
