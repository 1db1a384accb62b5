package dev.outpost.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How pings are gathered into statements and each answered by its own computer. */
class PingQueueTest {

  /** The computers of each statement the queue ran, each with the promise that settles it. */
  private final List<List<Long>> statements = new ArrayList<>();

  private final List<Promise<Set<Long>>> answers = new ArrayList<>();

  private PingQueue queue(int maxBatches, int maxBatchSize, int maxHeld) {
    return new PingQueue(
        computers -> {
          statements.add(computers);
          Promise<Set<Long>> answer = Promise.promise();
          answers.add(answer);
          return answer.future();
        },
        maxBatches,
        maxBatchSize,
        maxHeld);
  }

  /**
   * Verifies that pings arriving while a statement runs are answered by the next one, together,
   * each by whether its own computer has something waiting: GIVEN one statement at a time WHEN four
   * computers ping while the first one's runs, one of them twice THEN the second statement names
   * each of the four once and every ping gets its computer's answer.
   */
  @Test
  void pingsArrivingMeanwhileShareTheNextStatement() {
    PingQueue queue = queue(1, 100, 100);

    Future<Boolean> first = queue.submit(1);
    List<Future<Boolean>> meanwhile =
        List.of(
            queue.submit(2), queue.submit(3), queue.submit(2), queue.submit(4), queue.submit(5));
    assertThat(statements).containsExactly(List.of(1L));

    answers.get(0).complete(Set.of());
    assertThat(first.result()).isFalse();
    assertThat(statements).containsExactly(List.of(1L), List.of(2L, 3L, 4L, 5L));

    answers.get(1).complete(Set.of(2L, 5L));
    assertThat(meanwhile).allMatch(Future::succeeded);
    assertThat(meanwhile.stream().map(Future::result))
        .containsExactly(true, false, true, false, true);
  }

  /**
   * Verifies that a statement takes at most its size of computers, the others waiting for the next,
   * and that two statements may run at once.
   */
  @Test
  void statementsAreBoundedInComputersAndInNumber() {
    PingQueue queue = queue(2, 2, 100);

    for (long computer = 1; computer <= 7; computer++) {
      queue.submit(computer);
    }
    assertThat(statements).containsExactly(List.of(1L), List.of(2L));

    answers.get(0).complete(Set.of());
    assertThat(statements).containsExactly(List.of(1L), List.of(2L), List.of(3L, 4L));
    answers.get(1).complete(Set.of());
    assertThat(statements).hasSize(4).last().isEqualTo(List.of(5L, 6L));
  }

  /**
   * Verifies that a failed statement fails each of its pings, and the queue goes on with the next.
   */
  @Test
  void aFailedStatementFailsItsPingsOnly() {
    PingQueue queue = queue(1, 100, 100);

    Future<Boolean> held = queue.submit(1);
    Future<Boolean> a = queue.submit(2);
    Future<Boolean> b = queue.submit(3);
    answers.get(0).fail(new IllegalStateException("connection lost"));
    assertThat(held.failed()).isTrue();
    assertThat(held.cause()).hasMessage("connection lost");
    assertThat(a.isComplete()).isFalse();

    answers.get(1).complete(Set.of(3L));
    assertThat(a.result()).isFalse();
    assertThat(b.result()).isTrue();
  }

  /**
   * Verifies that past its bound the queue refuses a ping at once with 503 and Retry-After, and
   * takes pings again once answered ones made room.
   */
  @Test
  void tooManyWaitingPingsAreRefusedAtOnce() {
    PingQueue queue = queue(1, 100, 3);

    queue.submit(1);
    queue.submit(2);
    queue.submit(3);
    Future<Boolean> refused = queue.submit(4);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause())
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage()).contains("too many pings waiting");
            });

    answers.get(0).complete(Set.of());
    assertThat(queue.submit(4).isComplete()).isFalse();
  }
}
