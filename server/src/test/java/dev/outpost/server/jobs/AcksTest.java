package dev.outpost.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How finished deliveries go back to the broker: runs in one ack, stragglers alone. */
class AcksTest {

  private final List<String> sent = new ArrayList<>();
  private final Acks acks = new Acks(new RecordingChannel(sent));

  /** Verifies that deliveries finished in order go back with one ack naming the last of them. */
  @Test
  void deliveriesFinishedInOrderGoBackWithOneAck() {
    long channel = acks.newChannel();
    received(1, 2, 3, 4, 5);

    acks.ack(channel, List.of(1L, 2L, 3L));
    acks.ack(channel, List.of(5L, 4L));

    assertThat(sent).containsExactly("ack up to 3", "ack up to 5");
  }

  /**
   * Verifies that a delivery finished behind one still running is acked alone, so the running one
   * holds only its own prefetch slot, and that the multiple ack never covers it again.
   */
  @Test
  void aDeliveryFinishedBehindARunningOneIsAckedAlone() {
    long channel = acks.newChannel();
    received(1, 2, 3, 4);

    acks.ack(channel, List.of(2L, 3L));
    acks.ack(channel, List.of(1L));
    acks.ack(channel, List.of(4L));

    assertThat(sent).containsExactly("ack 2", "ack 3", "ack up to 1", "ack up to 4");
  }

  /** Verifies that a requeued delivery no longer holds back the ack of the ones after it. */
  @Test
  void aRequeuedDeliveryDoesNotHoldBackTheOthers() {
    long channel = acks.newChannel();
    received(1, 2, 3);

    acks.requeue(channel, 1);
    acks.ack(channel, List.of(2L, 3L));

    assertThat(sent).containsExactly("requeue 1", "ack up to 3");
  }

  /**
   * Verifies that acks and nacks of a channel that has since gone are never sent on the new one.
   */
  @Test
  void settlementsOfAGoneChannelAreDropped() {
    long gone = acks.newChannel();
    received(1, 2);
    long current = acks.newChannel();
    received(1);

    acks.ack(gone, List.of(1L, 2L));
    acks.requeue(gone, 2);
    acks.ack(current, List.of(1L));

    assertThat(sent).containsExactly("ack up to 1");
  }

  /** Verifies that a delivery settled twice is acked once. */
  @Test
  void aDeliverySettledTwiceIsAckedOnce() {
    long channel = acks.newChannel();
    received(1, 2);

    acks.ack(channel, List.of(1L));
    acks.ack(channel, List.of(1L));
    acks.requeue(channel, 1);

    assertThat(sent).containsExactly("ack up to 1");
  }

  private void received(long... tags) {
    for (long tag : tags) {
      acks.received(tag);
    }
  }
}
