package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/** What a running operation may ask of its agent. */
public interface OperationContext {

  /** Downloads a script attachment with the agent's secure-id. */
  Future<Buffer> attachment(long attachmentId);

  /**
   * Sends part of the operation's output to the server while it runs, if the server takes it;
   * {@code offset} counts the Unicode code points sent before. Completes once it is queued.
   */
  Future<Void> output(long offset, String text);

  /** Records, durably, the process running the operation, so a restarted agent can stop it. */
  Future<Void> processStarted(long pid, Instant startedAt);
}
