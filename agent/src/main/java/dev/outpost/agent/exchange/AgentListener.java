package dev.outpost.agent.exchange;

/** Hears what an agent does; the simulator counts it. Called on the agent's context. */
public interface AgentListener {

  /** Listens to nothing. */
  AgentListener NONE = new AgentListener() {};

  /** The agent got its identity. */
  default void registered() {}

  /**
   * An exchange succeeded.
   *
   * @param nanos how long it took, from when it was meant to start (see {@link Agent#exchangeNow})
   */
  default void exchanged(Protocol.Outcome outcome, long nanos) {}

  /** An exchange failed, after {@code nanos}: an {@link ExchangeFailure} or the server's error. */
  default void exchangeFailed(Throwable cause, long nanos) {}

  /** An operation was answered and its reply queued. */
  default void answered(long operationId, boolean success) {}
}
