package dev.outpost.server.jobs;

import io.vertx.core.Future;
import java.util.List;

/** A broker channel for tests: it writes down each ack and requeue it is asked for, in order. */
final class RecordingChannel implements Acks.Channel {

  private final List<String> sent;

  /** Writes into {@code sent}: "ack N", "ack up to N", "requeue N". */
  RecordingChannel(List<String> sent) {
    this.sent = sent;
  }

  @Override
  public Future<Void> ack(long tag, boolean multiple) {
    sent.add((multiple ? "ack up to " : "ack ") + tag);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> requeue(long tag) {
    sent.add("requeue " + tag);
    return Future.succeededFuture();
  }
}
