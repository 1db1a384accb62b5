package dev.outpost.server.jobs;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the deliveries of the job consumer's channel. Finished deliveries that make up the oldest
 * ones still open go back in one ack ({@code multiple=true}); a finished one behind a delivery
 * still running is acked alone, so a long job holds only its own prefetch slot. Acks and nacks of a
 * channel that has since gone are dropped: the broker requeued those deliveries, and a stale tag on
 * the new channel would close that channel too. Only the consumer's context calls it.
 */
final class Acks {

  private static final Logger LOG = LoggerFactory.getLogger(Acks.class);

  /** Where acks and nacks go: the consumer's channel. */
  interface Channel {

    /** Acks the delivery, and with {@code multiple} every open one before it. */
    Future<Void> ack(long tag, boolean multiple);

    /** Gives the delivery back to the broker. */
    Future<Void> requeue(long tag);
  }

  private final Channel out;

  /** Delivery tags of the current channel not yet acked or nacked, oldest first. */
  private final TreeSet<Long> open = new TreeSet<>();

  private long channel;

  Acks(Channel channel) {
    this.out = channel;
  }

  /** Starts over on a new channel; returns its number, which deliveries on it carry. */
  long newChannel() {
    open.clear();
    return ++channel;
  }

  /** The number of the current channel. */
  long channel() {
    return channel;
  }

  /** Records a delivery on the current channel; every one must be, before any later is acked. */
  void received(long tag) {
    open.add(tag);
  }

  /** Acks the deliveries, as one ack where they finish a run of the oldest open ones. */
  void ack(long channel, Collection<Long> tags) {
    if (channel != this.channel) {
      return;
    }
    Set<Long> done = new HashSet<>();
    for (Long tag : tags) {
      if (open.contains(tag)) {
        done.add(tag);
      }
    }
    flush(done);
  }

  /** Gives a delivery back to the broker to be delivered again. */
  void requeue(long channel, long tag) {
    if (channel != this.channel || !open.remove(tag)) {
      return;
    }
    send(() -> out.requeue(tag));
  }

  /** Acks the done tags: the run of the oldest open ones with one ack, the rest each alone. */
  private void flush(Set<Long> done) {
    long upTo = -1;
    while (!open.isEmpty() && done.remove(open.first())) {
      upTo = open.pollFirst();
    }
    if (upTo >= 0) {
      long last = upTo;
      send(() -> out.ack(last, true));
    }
    if (done.isEmpty()) {
      return;
    }
    for (Long tag : done) {
      open.remove(tag);
      send(() -> out.ack(tag, false));
    }
  }

  private static void send(Supplier<Future<Void>> settle) {
    try {
      settle
          .get()
          .onFailure(e -> LOG.debug("ack not sent, the broker requeues [cause: {}]", e.toString()));
    } catch (RuntimeException e) {
      // The client throws instead of failing when the connection is already gone.
      LOG.debug("ack not sent, the broker requeues [cause: {}]", e.toString());
    }
  }
}
