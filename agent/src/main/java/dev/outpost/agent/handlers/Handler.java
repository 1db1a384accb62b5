package dev.outpost.agent.handlers;

import dev.outpost.agent.state.JournalEntry;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/** Carries out the operations of some message types and answers each with a reply message. */
public interface Handler {

  /** The message types it takes. */
  List<String> types();

  /**
   * Carries out an operation. The reply is an {@code operation-result} (see {@link Replies}) or the
   * type's own answer; a failed future is answered with a FAILED result naming the problem.
   */
  Future<Map<String, Object>> handle(Operation operation);

  /**
   * Cleans up after an operation that was running when a previous agent process died: it is not run
   * again and is answered FAILED by the caller.
   */
  default Future<Void> interrupted(JournalEntry entry) {
    return Future.succeededFuture();
  }

  /**
   * Readies the handler once the agent holds its data dir and has answered what a previous run left
   * running, before any operation: cleans what that run left behind. A failure keeps the agent from
   * starting.
   */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /**
   * Stops an operation of this handler the server canceled, if it still runs; its reply says it was
   * canceled and goes back as any reply does.
   *
   * @return whether the handler had the operation in hand
   */
  default boolean cancel(long operationId) {
    return false;
  }

  /** Stops what is still running, when the agent stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
