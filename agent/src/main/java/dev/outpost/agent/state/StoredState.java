package dev.outpost.agent.state;

import java.util.List;
import java.util.Optional;

/**
 * Everything an agent kept, as it is loaded when the agent starts.
 *
 * @param pending the outbox, oldest first: numbered from {@link ExchangeState#sequence()}
 * @param held messages of types the server does not accept yet, oldest first
 */
public record StoredState(
    Optional<Identity> identity,
    ExchangeState exchange,
    List<StoredMessage> pending,
    List<StoredMessage> held,
    List<JournalEntry> journal) {

  /** The state of an agent that never ran. */
  public static StoredState empty() {
    return new StoredState(
        Optional.empty(), ExchangeState.initial(), List.of(), List.of(), List.of());
  }
}
