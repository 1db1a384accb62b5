package dev.outpost.agent.handlers;

import dev.outpost.agent.config.ScriptUsers;
import dev.outpost.agent.state.JournalEntry;
import dev.outpost.common.wire.Bytes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code execute-script} for real: the code in a file given to its interpreter, as the
 * requested user if {@code script_users} allows it, in a process group of its own, with its
 * attachments in a directory named by {@code LANDSCAPE_ATTACHMENTS}. Exit 0 succeeds with the
 * output; another exit fails with code 103, the time limit with 102 (everything the script started
 * is killed), an attachment that cannot be fetched with 104. The script waits at a gate until its
 * process is in the journal, so that an agent that dies can always find and stop it. At most {@link
 * #MAX_RUNNING} run at once; the others wait their turn, within their time limit, which counts from
 * when the script arrived. Nothing blocks the event loop.
 */
final class ScriptHandler implements Handler {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptHandler.class);

  /** How a canceled script's result begins. */
  static final String CANCELED = "the operation was canceled by the server";

  /** Scripts that may run at once; each holds a thread reading its output. */
  static final int MAX_RUNNING = 16;

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Vertx vertx;
  private final Clock clock;
  private final Accounts accounts;
  private final ScriptSpace space;
  private final ScriptUsers allowed;
  private final ScriptSlots slots;
  private final WorkerExecutor readers;
  private final boolean ownGroups = ProcessTree.groupsAvailable();

  /** The operations taken and not yet answered, by operation-id. */
  private final Map<Long, InHand> inHand = new ConcurrentHashMap<>();

  /** An operation taken: canceled perhaps, waiting for a place or running perhaps. */
  private static final class InHand {
    volatile boolean canceled;
    volatile Future<Void> place;
    volatile ScriptRun run;
  }

  /**
   * A handler keeping its workspaces under {@code dataDir/scripts}.
   *
   * @param allowed the users scripts may run as
   * @param clock the time a script's process is taken to have started at when the system cannot say
   */
  ScriptHandler(Vertx vertx, Path dataDir, ScriptUsers allowed, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.accounts = Accounts.current();
    this.space = ScriptSpace.in(dataDir, accounts);
    this.allowed = allowed;
    this.slots = new ScriptSlots(vertx, MAX_RUNNING);
    // a pool of its own: the places guarantee every running script a reader at once
    this.readers =
        vertx.createSharedWorkerExecutor(
            "outpost-script-output-" + INSTANCES.incrementAndGet(), MAX_RUNNING, 7, TimeUnit.DAYS);
  }

  @Override
  public List<String> types() {
    return List.of("execute-script");
  }

  @Override
  public Future<Void> start() {
    return blocking(
        () -> {
          space.prepare();
          return null;
        });
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    ScriptRequest request = ScriptRequest.read(operation.message());
    Optional<Long> deadline = request.timeLimit().map(limit -> System.nanoTime() + limit.toNanos());
    String user = request.username().orElse(accounts.self());
    if (!allowed.allows(user)) {
      LOG.warn(
          "script refused, its user is not allowed [operation: {}, user: {}]",
          operation.id(),
          user);
      // the Landscape Client's words
      return Future.succeededFuture(
          Replies.failed(operation.id(), "Scripts cannot be run as user " + user + "."));
    }
    InHand taken = new InHand();
    inHand.put(operation.id(), taken);
    // a place is asked for at once, on the event loop, so that scripts get places in the order
    // they came (looking the user up first, off the event loop, let later ones overtake)
    taken.place = slots.acquire(deadline);
    return taken
        .place
        .compose(
            place ->
                blocking(() -> accounts.resolve(request.username()))
                    .compose(account -> runInPlace(operation, request, account, deadline))
                    .eventually(
                        () -> {
                          slots.release();
                          return Future.succeededFuture();
                        }))
        .map(outcome -> reply(operation.id(), request, outcome))
        .recover(failure -> Future.succeededFuture(failed(operation.id(), request, failure)))
        .onComplete(done -> inHand.remove(operation.id()));
  }

  @Override
  public boolean cancel(long operationId) {
    InHand taken = inHand.get(operationId);
    if (taken == null) {
      return false;
    }
    taken.canceled = true;
    // one still waiting for a place ends now, as canceled before it started, holding none
    Future<Void> place = taken.place;
    if (place != null && slots.withdraw(place, ScriptFailure.of(CANCELED + " before it started"))) {
      LOG.info("script canceled while it waited for a place [operation: {}]", operationId);
      return true;
    }
    ScriptRun run = taken.run;
    if (run != null) {
      run.cancel();
    }
    return true;
  }

  @Override
  public Future<Void> interrupted(JournalEntry entry) {
    return entry.process().isEmpty()
        ? Future.succeededFuture()
        : blocking(
                () ->
                    ProcessTree.killIfSame(
                        entry.process().get().pid(), entry.process().get().startedAt()))
            .mapEmpty();
  }

  @Override
  public Future<Void> close() {
    slots.close();
    List<Future<Void>> killed = new ArrayList<>();
    inHand.values().stream()
        .map(taken -> taken.run)
        .filter(Objects::nonNull)
        .forEach(run -> killed.add(run.kill()));
    return Future.join(killed).eventually(readers::close).mapEmpty();
  }

  private Future<ScriptRun.Outcome> runInPlace(
      Operation operation,
      ScriptRequest request,
      Accounts.Account account,
      Optional<Long> deadline) {
    return fetchAttachments(operation, request)
        .compose(files -> blocking(() -> Workspace.create(space, request, account, files)))
        .compose(
            workspace ->
                run(operation, workspace, deadline).eventually(() -> blocking(workspace::delete)));
  }

  private Future<Map<String, byte[]>> fetchAttachments(Operation operation, ScriptRequest request) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Future<Void> fetched = Future.succeededFuture();
    for (Map.Entry<String, Object> attachment : request.attachments().entrySet()) {
      String name = attachment.getKey();
      if (!Workspace.safeName(name)) {
        return Future.failedFuture(
            ScriptFailure.attachment("'" + name + "' cannot be an attachment's file name"));
      }
      fetched =
          fetched.compose(
              v ->
                  content(operation, name, attachment.getValue())
                      .map(
                          content -> {
                            files.put(name, content);
                            return null;
                          }));
    }
    return fetched.map(files);
  }

  private static Future<byte[]> content(Operation operation, String name, Object value) {
    if (value instanceof String text) {
      return Future.succeededFuture(text.getBytes(StandardCharsets.UTF_8));
    }
    if (value instanceof Bytes bytes) {
      return Future.succeededFuture(bytes.toArray());
    }
    if (value instanceof Number id) {
      return operation
          .context()
          .attachment(id.longValue())
          .map(Buffer::getBytes)
          .recover(
              e ->
                  Future.failedFuture(
                      ScriptFailure.attachment(
                          "cannot fetch attachment " + name + ": " + e.getMessage())));
    }
    return Future.failedFuture(
        ScriptFailure.attachment("attachment " + name + " is neither an id nor a text"));
  }

  /** A script's process, and the pipe it writes its output into. */
  private record Started(Process process, OutputPipe pipe) {}

  /**
   * Starts the script held at its gate, records its process durably, then lets it go: whatever
   * happens to the agent from then on, a restarted agent knows what to stop.
   */
  private Future<ScriptRun.Outcome> run(
      Operation operation, Workspace workspace, Optional<Long> deadline) {
    if (inHand.get(operation.id()).canceled) {
      return Future.failedFuture(ScriptFailure.of(CANCELED + " before it started"));
    }
    return blocking(() -> start(workspace))
        .compose(
            started -> {
              Process process = started.process();
              Instant start = ProcessTree.startOf(process.toHandle()).orElseGet(clock::instant);
              return operation
                  .context()
                  .processStarted(process.pid(), start)
                  .compose(recorded -> blocking(() -> release(process)))
                  .onFailure(
                      e -> {
                        process.destroyForcibly();
                        blocking(
                            () -> {
                              started.pipe().close();
                              return null;
                            });
                      })
                  .compose(released -> watch(operation, workspace, started, deadline));
            });
  }

  private Started start(Workspace workspace) throws IOException, InterruptedException {
    OutputPipe pipe = OutputPipe.create(workspace.outputPath());
    try {
      Process process = workspace.command(ownGroups).redirectOutput(pipe.file()).start();
      pipe.started();
      return new Started(process, pipe);
    } catch (IOException | RuntimeException e) {
      pipe.close();
      throw e;
    }
  }

  private Future<ScriptRun.Outcome> watch(
      Operation operation, Workspace workspace, Started started, Optional<Long> deadline) {
    LOG.info(
        "script started [operation: {}, pid: {}, user: {}]",
        operation.id(),
        started.process().pid(),
        workspace.account().name());
    Optional<Duration> timeLeft = deadline.map(at -> Duration.ofNanos(at - System.nanoTime()));
    ScriptRun run =
        ScriptRun.watch(
            vertx,
            readers,
            started.process(),
            started.pipe(),
            ownGroups,
            timeLeft,
            operation.context());
    InHand taken = inHand.get(operation.id());
    taken.run = run;
    // a cancel that came while the script was being started finds no run to stop: stop it here
    if (taken.canceled) {
      run.cancel();
    }
    return run.outcome();
  }

  /** Opens the gate; the script then reads an empty stdin, as it would from /dev/null. */
  private static Void release(Process process) throws IOException {
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
    }
    return null;
  }

  private static Map<String, Object> reply(
      long operationId, ScriptRequest request, ScriptRun.Outcome outcome) {
    LOG.info(
        "script ended [operation: {}, exit: {}, timed out: {}]",
        operationId,
        outcome.exitCode(),
        outcome.timedOut());
    if (outcome.canceled()) {
      return Replies.failed(
          operationId,
          withNote(
              outcome.output(),
              CANCELED + ": the script and the processes it started were stopped"));
    }
    if (outcome.timedOut()) {
      return Replies.failed(
          operationId,
          Replies.TIME_LIMIT,
          withNote(
              outcome.output(),
              "the time limit of "
                  + request.timeLimit().orElseThrow().toSeconds()
                  + " s was reached: the script and the processes it started were killed"));
    }
    if (outcome.exitCode() != 0) {
      return Replies.failed(operationId, Replies.EXIT_CODE, outcome.output());
    }
    return Replies.succeeded(operationId, outcome.output());
  }

  /** The output with a line of the agent's own after it. */
  private static String withNote(String output, String note) {
    String separator = output.isEmpty() || output.endsWith("\n") ? "" : "\n";
    return output + separator + note;
  }

  private static Map<String, Object> failed(
      long operationId, ScriptRequest request, Throwable failure) {
    if (failure instanceof ScriptSlots.Expired) {
      LOG.warn(
          "script not run, its time limit passed while it waited [operation: {}]", operationId);
      return Replies.failed(
          operationId,
          Replies.TIME_LIMIT,
          "the time limit of "
              + request.timeLimit().orElseThrow().toSeconds()
              + " s was reached while the script "
              + "waited for one of the "
              + MAX_RUNNING
              + " scripts running to end; it did not run");
    }
    if (failure instanceof ScriptFailure script) {
      return script
          .code()
          .map(code -> Replies.failed(operationId, code, script.getMessage()))
          .orElseGet(() -> Replies.failed(operationId, script.getMessage()));
    }
    LOG.warn("script could not run [operation: {}, problem: {}]", operationId, failure.toString());
    return Replies.failed(operationId, "the script could not run: " + failure.getMessage());
  }

  /** Blocking work off the event loop, not queued behind other blocking work. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
