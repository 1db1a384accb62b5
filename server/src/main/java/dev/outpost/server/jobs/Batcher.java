package dev.outpost.server.jobs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Gathers items into batches written by one statement each: what arrives within one turn of the
 * context, and what arrives while the previous batch is being written, goes in the next batch. One
 * batch is written at a time, so the batches grow with the load and a lone item waits for nothing.
 * Only its context calls it.
 */
final class Batcher<T> {

  private final Context context;
  private final int max;
  private final Function<List<T>, Future<?>> write;
  private List<T> pending = new ArrayList<>();
  private boolean scheduled;
  private boolean writing;
  private final List<Promise<Void>> drained = new ArrayList<>();

  /**
   * @param max the most items one batch holds
   * @param write writes a batch and deals with each item's outcome; the next batch waits for it
   */
  Batcher(Context context, int max, Function<List<T>, Future<?>> write) {
    this.context = context;
    this.max = max;
    this.write = write;
  }

  void add(T item) {
    pending.add(item);
    if (!scheduled && !writing) {
      scheduled = true;
      context.runOnContext(
          turn -> {
            scheduled = false;
            flush();
          });
    }
  }

  /** Completes once no item is pending or being written: each was written, or its write failed. */
  Future<Void> drained() {
    if (!writing && !scheduled && pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    drained.add(promise);
    return promise.future();
  }

  private void flush() {
    if (writing) {
      return;
    }
    if (pending.isEmpty()) {
      drained.forEach(Promise::complete);
      drained.clear();
      return;
    }
    List<T> batch;
    if (pending.size() <= max) {
      batch = pending;
      pending = new ArrayList<>();
    } else {
      batch = new ArrayList<>(pending.subList(0, max));
      pending.subList(0, max).clear();
    }
    writing = true;
    Future<?> written;
    try {
      written = write.apply(batch);
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(
        done -> {
          writing = false;
          flush();
        });
  }
}
