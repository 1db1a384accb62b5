package dev.outpost.agent.exchange;

import dev.outpost.agent.state.AgentStore;
import dev.outpost.agent.state.JournalEntry;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * The operations the agent was sent, so that each operation-id runs at most once: an entry is
 * written, durably, before its operation starts, and kept after it finished. Finished entries
 * beyond the newest {@code keep} are forgotten once their reply was acknowledged.
 */
final class Journal {

  private final AgentStore store;
  private final int keep;

  /** By operation-id, oldest first. */
  private final Map<Long, JournalEntry> entries = new LinkedHashMap<>();

  Journal(AgentStore store, int keep, List<JournalEntry> loaded) {
    this.store = store;
    this.keep = keep;
    loaded.forEach(entry -> entries.put(entry.operationId(), entry));
  }

  Optional<JournalEntry> find(long operationId) {
    return Optional.ofNullable(entries.get(operationId));
  }

  /** Records that an operation is about to start; the entry exists as soon as this returns. */
  Future<Void> begin(long operationId, String type, Instant now) {
    return save(JournalEntry.running(operationId, type, now));
  }

  /** Records the process an operation runs in. */
  Future<Void> started(long operationId, JournalEntry.ChildProcess process) {
    JournalEntry entry = entries.get(operationId);
    return entry == null ? Future.succeededFuture() : save(entry.withProcess(process));
  }

  /** Records an operation's reply. */
  Future<Void> finish(long operationId, String type, Map<String, Object> reply, Instant now) {
    JournalEntry entry =
        entries.getOrDefault(operationId, JournalEntry.running(operationId, type, now));
    return save(entry.done(reply));
  }

  /** The operations without a reply, oldest first. */
  List<JournalEntry> running() {
    return entries.values().stream().filter(JournalEntry::running).toList();
  }

  /** The finished operations, oldest first. */
  List<JournalEntry> done() {
    return entries.values().stream().filter(e -> !e.running()).toList();
  }

  /** Forgets the oldest finished entries beyond {@code keep} whose reply is no longer waiting. */
  Future<Void> prune(LongPredicate replyWaiting) {
    List<JournalEntry> done = done();
    List<Long> forgotten = new ArrayList<>();
    for (int i = 0; i < done.size() - keep; i++) {
      long id = done.get(i).operationId();
      if (!replyWaiting.test(id)) {
        entries.remove(id);
        forgotten.add(id);
      }
    }
    return forgotten.isEmpty() ? Future.succeededFuture() : store.deleteOperations(forgotten);
  }

  private Future<Void> save(JournalEntry entry) {
    entries.put(entry.operationId(), entry);
    return store.saveOperation(entry);
  }
}
