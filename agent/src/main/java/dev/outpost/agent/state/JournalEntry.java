package dev.outpost.agent.state;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent knows of one operation it was sent: that it started, the process running it, and
 * the reply once it finished. An operation-id with an entry is never executed again.
 *
 * @param reply the message answering it (without {@code api} and {@code timestamp}), once done
 */
public record JournalEntry(
    long operationId,
    String type,
    State state,
    Instant startedAt,
    Optional<ChildProcess> process,
    Optional<Map<String, Object>> reply) {

  /** Where an operation is. */
  public enum State {
    /** Accepted and handed to its handler; no reply yet. */
    RUNNING,
    /** Answered: the reply is in the outbox, or was acknowledged. */
    DONE
  }

  /**
   * A process an operation started, so that a restarted agent can tell it from a later process that
   * reused its pid.
   */
  public record ChildProcess(long pid, Instant startedAt) {}

  /** An operation just accepted. */
  public static JournalEntry running(long operationId, String type, Instant now) {
    return new JournalEntry(
        operationId, type, State.RUNNING, now, Optional.empty(), Optional.empty());
  }

  /** This entry with the process running the operation. */
  public JournalEntry withProcess(ChildProcess child) {
    return new JournalEntry(operationId, type, state, startedAt, Optional.of(child), reply);
  }

  /** This entry, finished with its reply. */
  public JournalEntry done(Map<String, Object> answer) {
    return new JournalEntry(operationId, type, State.DONE, startedAt, process, Optional.of(answer));
  }

  /** Whether it is still running. */
  public boolean running() {
    return state == State.RUNNING;
  }
}
