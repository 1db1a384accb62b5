package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/** What a running operation may ask of its agent. */
public interface OperationContext {

  /** Downloads a script attachment with the agent's secure-id. */
  Future<Buffer> attachment(long attachmentId);

  /** Records, durably, the process running the operation, so a restarted agent can stop it. */
  Future<Void> processStarted(long pid, Instant startedAt);
}
