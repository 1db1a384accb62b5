package dev.outpost.agent.state;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store of a simulated agent: the protocol core already holds everything in memory, so there is
 * nothing to write. Stateless, so one instance serves any number of agents.
 */
public final class MemoryStore implements AgentStore {

  /** The one instance. */
  public static final MemoryStore INSTANCE = new MemoryStore();

  private MemoryStore() {}

  @Override
  public Future<StoredState> load() {
    return Future.succeededFuture(StoredState.empty());
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
