package dev.outpost.agent.state;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an agent keeps what must outlive it. The protocol core holds the truth in memory and writes
 * every change through this interface; a returned future completes once the change is durable, and
 * changes become durable in the order they were made. Call it from one context.
 */
public interface AgentStore {

  /** Reads what was kept; called once, before anything else. */
  Future<StoredState> load();

  /** Keeps the identity, or forgets it when empty. */
  Future<Void> saveIdentity(Optional<Identity> identity);

  /** Keeps the exchange bookkeeping. */
  Future<Void> saveExchange(ExchangeState state);

  /** Adds a message to the outbox, or to the held messages. */
  Future<Void> addMessage(long id, Map<String, Object> message, boolean held);

  /** Moves a held message to the end of the outbox under a new id. */
  Future<Void> releaseHeld(long heldId, long newId);

  /** Forgets outbox messages the server acknowledged. */
  Future<Void> deleteMessages(List<Long> ids);

  /** Keeps an operation's journal entry, replacing the one with its operation-id. */
  Future<Void> saveOperation(JournalEntry entry);

  /** Forgets journal entries. */
  Future<Void> deleteOperations(List<Long> operationIds);

  /** Lets go of the store (its lock, for a store on disk). */
  Future<Void> close();
}
