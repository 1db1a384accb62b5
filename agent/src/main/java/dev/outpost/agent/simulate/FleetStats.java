package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.AgentListener;
import dev.outpost.agent.exchange.Protocol;
import java.util.concurrent.atomic.LongAdder;

/** What the simulated agents did, counted from any thread. */
public final class FleetStats implements AgentListener {

  private final LongAdder registered = new LongAdder();
  private final LongAdder exchanges = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder failedOperations = new LongAdder();
  private final LongAdder resultsSent = new LongAdder();

  @Override
  public void registered() {
    registered.increment();
  }

  @Override
  public void exchanged(Protocol.Outcome outcome) {
    exchanges.increment();
    resultsSent.add(outcome.repliesDelivered());
  }

  @Override
  public void exchangeFailed(Throwable cause) {
    errors.increment();
  }

  @Override
  public void answered(long operationId, boolean success) {
    answered.increment();
    if (!success) {
      failedOperations.increment();
    }
  }

  /** Agents that registered. */
  public long agentsRegistered() {
    return registered.sum();
  }

  /** Exchanges that succeeded. */
  public long exchanges() {
    return exchanges.sum();
  }

  /** Exchanges that failed. */
  public long errors() {
    return errors.sum();
  }

  /** Operations answered, and of them how many failed. */
  public long answered() {
    return answered.sum();
  }

  /** Operations answered with a failure. */
  public long failedOperations() {
    return failedOperations.sum();
  }

  /** Replies the server acknowledged. */
  public long resultsSent() {
    return resultsSent.sum();
  }
}
