package dev.outpost.agent.exchange;

import dev.outpost.agent.state.AgentStore;
import dev.outpost.agent.state.StoredMessage;
import dev.outpost.common.wire.StorableText;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The agent's outgoing messages (PROTOCOL.md section 4): numbered from {@link #sequence()}, sent
 * oldest first, kept until the server's {@code next-expected-sequence} acknowledges them. A message
 * of a type the server does not accept is held, unnumbered, until it does.
 */
final class Outbox {

  /** What a {@code next-expected-sequence} did to the outbox. */
  record Acknowledgment(List<StoredMessage> removed, boolean ancient) {}

  private final AgentStore store;
  private final ArrayDeque<StoredMessage> pending;
  private final List<StoredMessage> held;

  /** How many messages in the outbox or held answer each operation-id. */
  private final Map<Long, Integer> replies = new HashMap<>();

  private long sequence;
  private long nextId;

  Outbox(
      AgentStore store,
      long sequence,
      long firstMessage,
      List<StoredMessage> pending,
      List<StoredMessage> held) {
    this.store = store;
    this.sequence = sequence;
    // what an older agent stored may hold text the server cannot store
    this.pending = new ArrayDeque<>(storable(pending));
    this.held = new ArrayList<>(storable(held));
    long highest = firstMessage - 1;
    for (StoredMessage message : this.pending) {
      highest = Math.max(highest, message.id());
      count(message, 1);
    }
    for (StoredMessage message : this.held) {
      highest = Math.max(highest, message.id());
      count(message, 1);
    }
    this.nextId = highest + 1;
  }

  /** The sequence number of the oldest message. */
  long sequence() {
    return sequence;
  }

  /** The local id of the oldest message, or of the next one when there is none. */
  long firstMessage() {
    return pending.isEmpty() ? nextId : pending.peekFirst().id();
  }

  /** How many messages wait to be sent or acknowledged, held ones aside. */
  int size() {
    return pending.size();
  }

  /** The oldest messages, at most {@code max}. */
  List<Map<String, Object>> batch(int max) {
    List<Map<String, Object>> batch = new ArrayList<>(Math.min(max, pending.size()));
    for (StoredMessage message : pending) {
      if (batch.size() == max) {
        break;
      }
      batch.add(message.message());
    }
    return batch;
  }

  /** Whether a message of this type waits, held or not. */
  boolean has(String type) {
    return pending.stream().anyMatch(m -> m.type().equals(type))
        || held.stream().anyMatch(m -> m.type().equals(type));
  }

  /** Whether a reply to this operation waits, held or not. */
  boolean carries(long operationId) {
    return replies.containsKey(operationId);
  }

  /** The waiting reply to an operation, if any. */
  Optional<StoredMessage> reply(long operationId) {
    return Stream.concat(pending.stream(), held.stream())
        .filter(m -> m.operationId().filter(id -> id == operationId).isPresent())
        .findFirst();
  }

  /** Adds a message; it is held when the server does not accept its type. */
  Future<Void> add(Map<String, Object> message, Collection<String> accepted) {
    StoredMessage stored = new StoredMessage(nextId++, message);
    boolean hold = !accepted.contains(stored.type());
    (hold ? held : pending).add(stored);
    count(stored, 1);
    return store.addMessage(stored.id(), stored.message(), hold);
  }

  /** Moves the held messages whose type the server now accepts to the end of the outbox. */
  Future<Void> release(Collection<String> accepted) {
    Future<Void> moved = Future.succeededFuture();
    for (StoredMessage message : List.copyOf(held)) {
      if (accepted.contains(message.type())) {
        held.remove(message);
        StoredMessage released = new StoredMessage(nextId++, message.message());
        pending.add(released);
        moved = moved.compose(v -> store.releaseHeld(message.id(), released.id()));
      }
    }
    return moved;
  }

  /**
   * Applies the server's {@code next-expected-sequence} after an exchange that carried {@code sent}
   * messages. Up to that many are acknowledged; a number beyond them renumbers the rest, as the
   * Landscape Client does. A number below {@link #sequence()} asks for messages that are gone: the
   * outbox is renumbered from it and the caller must resynchronise.
   */
  Acknowledgment acknowledge(long nextExpected, int sent) {
    if (nextExpected < sequence) {
      sequence = nextExpected;
      return new Acknowledgment(List.of(), true);
    }
    long count = Math.min(nextExpected - sequence, Math.min(sent, pending.size()));
    List<StoredMessage> removed = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      StoredMessage message = pending.removeFirst();
      count(message, -1);
      removed.add(message);
    }
    sequence = nextExpected;
    return new Acknowledgment(removed, false);
  }

  /** Deletes acknowledged messages from the store, once the new sequence is durable. */
  Future<Void> forget(List<StoredMessage> removed) {
    return removed.isEmpty()
        ? Future.succeededFuture()
        : store.deleteMessages(removed.stream().map(StoredMessage::id).toList());
  }

  private static List<StoredMessage> storable(List<StoredMessage> messages) {
    return messages.stream()
        .map(m -> new StoredMessage(m.id(), StorableText.message(m.message())))
        .toList();
  }

  private void count(StoredMessage message, int delta) {
    message
        .operationId()
        .ifPresent(id -> replies.merge(id, delta, (a, b) -> a + b == 0 ? null : a + b));
  }
}
