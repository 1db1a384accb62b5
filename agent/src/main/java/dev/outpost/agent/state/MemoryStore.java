package dev.outpost.agent.state;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store of a simulated agent: the protocol core already holds everything in memory, so there is
 * nothing to write. One instance serves any number of agents that never ran; an agent that starts
 * with an identity has one of its own.
 */
public final class MemoryStore implements AgentStore {

  /** The store of an agent that has never run. */
  public static final MemoryStore INSTANCE = new MemoryStore(Optional.empty());

  private final Optional<Identity> identity;

  private MemoryStore(Optional<Identity> identity) {
    this.identity = identity;
  }

  /** The store of an agent that starts registered with this identity. */
  public static MemoryStore registered(Identity identity) {
    return new MemoryStore(Optional.of(identity));
  }

  @Override
  public Future<StoredState> load() {
    StoredState empty = StoredState.empty();
    return Future.succeededFuture(
        identity.isEmpty()
            ? empty
            : new StoredState(
                identity, empty.exchange(), empty.pending(), empty.held(), empty.journal()));
  }

  @Override
  public Future<Void> saveIdentity(Optional<Identity> identity) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> saveExchange(ExchangeState state) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> addMessage(long id, Map<String, Object> message, boolean held) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> releaseHeld(long heldId, long newId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> deleteMessages(List<Long> ids) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> saveOperation(JournalEntry entry) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> deleteOperations(List<Long> operationIds) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
