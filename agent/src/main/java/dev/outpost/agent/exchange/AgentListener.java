package dev.outpost.agent.exchange;

/** Hears what an agent does; the simulator counts it. Called on the agent's context. */
public interface AgentListener {

  /** Listens to nothing. */
  AgentListener NONE = new AgentListener() {};

  /** The agent got its identity. */
  default void registered() {}

  /** An exchange succeeded. */
  default void exchanged(Protocol.Outcome outcome) {}

  /** An exchange failed. */
  default void exchangeFailed(Throwable cause) {}

  /** An operation was answered and its reply queued. */
  default void answered(long operationId, boolean success) {}
}
