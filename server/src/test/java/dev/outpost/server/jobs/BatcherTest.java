package dev.outpost.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How items added to a {@link Batcher} are gathered into the batches it writes. */
@ExtendWith(VertxExtension.class)
class BatcherTest {

  private final List<List<Integer>> batches = new ArrayList<>();
  private final List<Promise<Void>> writes = new ArrayList<>();

  private Future<?> write(List<Integer> batch) {
    batches.add(List.copyOf(batch));
    Promise<Void> written = Promise.promise();
    writes.add(written);
    return written.future();
  }

  /**
   * Verifies that what is added in one turn of the context is one batch, that what is added while
   * it is written waits for the next, and that a batch holds at most its maximum.
   */
  @Test
  void gathersOneTurnIntoOneBatchAndWritesOneBatchAtATime(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    Batcher<Integer> batcher = new Batcher<>(context, 3, this::write);

    on(
        context,
        () -> {
          batcher.add(1);
          batcher.add(2);
          return null;
        });
    on(context, () -> null); // the turn the batch is written in
    assertThat(batches).containsExactly(List.of(1, 2));

    on(
        context,
        () -> {
          for (int i = 3; i <= 7; i++) {
            batcher.add(i);
          }
          return null;
        });
    on(context, () -> null);
    assertThat(batches).hasSize(1); // the first is still being written

    on(
        context,
        () -> {
          writes.get(0).complete();
          return null;
        });
    assertThat(batches).containsExactly(List.of(1, 2), List.of(3, 4, 5));
    on(
        context,
        () -> {
          writes.get(1).complete();
          return null;
        });
    assertThat(batches).containsExactly(List.of(1, 2), List.of(3, 4, 5), List.of(6, 7));
  }

  /** Verifies that drained() completes only once every item added before it is written. */
  @Test
  void drainedWaitsForTheBatchBeingWrittenAndThePendingOnes(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    Batcher<Integer> batcher = new Batcher<>(context, 2, this::write);
    assertThat(on(context, batcher::drained).succeeded()).isTrue(); // nothing added yet

    Future<Void> drained =
        on(
            context,
            () -> {
              for (int i = 1; i <= 3; i++) {
                batcher.add(i);
              }
              return batcher.drained();
            });
    on(context, () -> null);
    assertThat(batches).containsExactly(List.of(1, 2));
    on(
        context,
        () -> {
          writes.get(0).fail("the database went away"); // a failed batch counts as dealt with
          return null;
        });
    assertThat(batches).containsExactly(List.of(1, 2), List.of(3));
    assertThat(drained.isComplete()).isFalse();

    on(
        context,
        () -> {
          writes.get(1).complete();
          return null;
        });
    assertThat(drained.succeeded()).isTrue();
  }

  /** Runs on the context and waits for it, so that the test reads what the context wrote. */
  private static <T> T on(Context context, Supplier<T> action) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            done.complete(action.get());
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    return done.get(10, TimeUnit.SECONDS);
  }
}
