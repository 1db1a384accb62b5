package dev.outpost.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How exchanges are gathered into batches, answered, and answered again alone. */
class ExchangeQueueTest {

  /** Batches the queue handed out, each with the promise that settles it. */
  private final List<List<String>> batches = new ArrayList<>();

  private final List<Promise<List<ExchangeQueue.Outcome>>> answers = new ArrayList<>();

  /** Exchanges answered carefully, a message at a time, after failing alone. */
  private final List<String> careful = new ArrayList<>();

  private final List<Promise<ExchangeQueue.Outcome>> carefulAnswers = new ArrayList<>();

  private Future<ExchangeQueue.Outcome> carefully(ExchangeQueue.Request request) {
    careful.add(name(request));
    Promise<ExchangeQueue.Outcome> answer = Promise.promise();
    carefulAnswers.add(answer);
    return answer.future();
  }

  private ExchangeQueue queue(int maxBatches, int maxBatchSize) {
    return queue(maxBatches, maxBatchSize, new MessageSystem.Waiting(1000, 1 << 20));
  }

  private ExchangeQueue queue(int maxBatches, int maxBatchSize, MessageSystem.Waiting waiting) {
    return new ExchangeQueue(this::answerer, this::carefully, maxBatches, maxBatchSize, waiting);
  }

  private Future<List<ExchangeQueue.Outcome>> answerer(List<ExchangeQueue.Request> batch) {
    batches.add(batch.stream().map(ExchangeQueueTest::name).toList());
    Promise<List<ExchangeQueue.Outcome>> answer = Promise.promise();
    answers.add(answer);
    return answer.future();
  }

  /** Verifies that what arrives while a batch runs is answered together, next. */
  @Test
  void exchangesArrivingMeanwhileFormTheNextBatch() {
    ExchangeQueue queue = queue(1, 10);

    Future<Map<String, Object>> a = queue.submit(request("a"));
    Future<Map<String, Object>> b = queue.submit(request("b"));
    Future<Map<String, Object>> c = queue.submit(request("c"));
    assertThat(batches).containsExactly(List.of("a"));

    answers.get(0).complete(answeredBy(List.of("a")));
    assertThat(a.result()).containsEntry("for", "a");
    assertThat(batches).containsExactly(List.of("a"), List.of("b", "c"));
    assertThat(b.isComplete()).isFalse();

    answers.get(1).complete(answeredBy(List.of("b", "c")));
    assertThat(b.result()).containsEntry("for", "b");
    assertThat(c.result()).containsEntry("for", "c");
  }

  /** Verifies the limits: batches at once, exchanges per batch, one exchange per computer. */
  @Test
  void aBatchHoldsOneExchangeOfEachComputerAndNoMoreThanItsSize() {
    ExchangeQueue queue = queue(2, 2);

    queue.submit(request("a"));
    queue.submit(request("b"));
    queue.submit(request("c"));
    queue.submit(request("c"));
    queue.submit(request("d"));
    assertThat(batches).containsExactly(List.of("a"), List.of("b"));

    answers.get(0).complete(answeredBy(List.of("a")));
    assertThat(batches).last().isEqualTo(List.of("c", "d"));
    answers.get(1).complete(answeredBy(List.of("b")));
    assertThat(batches).last().isEqualTo(List.of("c"));
  }

  /** Verifies that a batch failing as a whole is answered again one exchange at a time. */
  @Test
  void aFailedBatchIsAnsweredAgainOneByOne() {
    ExchangeQueue queue = queue(1, 10);
    Future<Map<String, Object>> a = queue.submit(request("a"));
    Future<Map<String, Object>> b = queue.submit(request("b"));
    Future<Map<String, Object>> c = queue.submit(request("c"));
    answers.get(0).complete(answeredBy(List.of("a")));

    answers.get(1).fail(new IllegalStateException("deadlock detected"));
    assertThat(batches)
        .containsExactly(List.of("a"), List.of("b", "c"), List.of("b"), List.of("c"));
    answers.get(2).fail(refusal("b is refused"));
    answers.get(3).complete(answeredBy(List.of("c")));
    assertThat(careful).containsExactly("b");
    carefulAnswers.get(0).fail(new IllegalStateException("b is still broken"));

    assertThat(a.result()).containsEntry("for", "a");
    assertThat(b.cause()).hasMessage("b is still broken");
    assertThat(c.result()).containsEntry("for", "c");
  }

  /**
   * Verifies that an exchange failing alone for something other than refused data fails, with no
   * careful run: the database gone or a timeout would fail a message at a time just the same.
   */
  @Test
  void anExchangeFailingAloneForAnythingElseFails() {
    ExchangeQueue queue = queue(1, 10);
    Future<Map<String, Object>> a = queue.submit(request("a"));

    answers.get(0).fail(new IllegalStateException("connection closed"));

    assertThat(a.cause()).hasMessage("connection closed");
    assertThat(careful).isEmpty();
  }

  /**
   * Verifies that an exchange the database refuses alone is answered once more carefully, and that
   * answer is its own: a message the database refused no longer fails it.
   */
  @Test
  void anExchangeRefusedAloneIsAnsweredCarefully() {
    ExchangeQueue queue = queue(1, 10);
    Future<Map<String, Object>> a = queue.submit(request("a"));

    answers.get(0).fail(refusal("invalid byte sequence"));
    assertThat(careful).containsExactly("a");
    carefulAnswers.get(0).complete(ExchangeQueue.Outcome.answered(Map.of("for", "a")));

    assertThat(a.result()).containsEntry("for", "a");
    assertThat(batches).hasSize(1);
  }

  /**
   * Verifies that what waits is bounded in exchanges and in bytes: past a bound an exchange is
   * refused at once with 503 and a Retry-After, and once others are answered there is room.
   */
  @Test
  void tooMuchWaitingIsRefusedWithRetryAfter() {
    ExchangeQueue queue = queue(1, 10, new MessageSystem.Waiting(2, 100));
    queue.submit(request("a"));
    queue.submit(request("b"));

    Future<Map<String, Object>> third = queue.submit(request("c"));

    assertThat(third.failed()).isTrue();
    assertThat(third.cause())
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.retryAfterSeconds()).isPositive();
            });
    answers.get(0).complete(answeredBy(List.of("a")));
    assertThat(queue.submit(request("d")).failed()).isFalse();
    assertThat(
            queue
                .submit(
                    new ExchangeQueue.Request(
                        new byte[] {'e'}, Optional.empty(), WireMap.of(Map.of()), 101))
                .failed())
        .isTrue();
  }

  /** Verifies that an exchange's own failure inside a batch reaches it alone. */
  @Test
  void anExchangesOwnFailureReachesOnlyIt() {
    ExchangeQueue queue = queue(1, 10);
    queue.submit(request("a"));
    Future<Map<String, Object>> b = queue.submit(request("b"));
    Future<Map<String, Object>> c = queue.submit(request("c"));
    answers.get(0).complete(answeredBy(List.of("a")));

    answers
        .get(1)
        .complete(
            List.of(
                ExchangeQueue.Outcome.failed(new IllegalArgumentException("malformed")),
                ExchangeQueue.Outcome.answered(Map.of("for", "c"))));

    assertThat(batches).hasSize(2);
    assertThat(b.cause()).hasMessage("malformed");
    assertThat(c.result()).containsEntry("for", "c");
  }

  /** What PostgreSQL answers for data it refuses: SQLSTATE 22021, a bad byte sequence. */
  private static PgException refusal(String message) {
    return new PgException(message, "ERROR", "22021", null);
  }

  private static List<ExchangeQueue.Outcome> answeredBy(List<String> names) {
    return names.stream()
        .map(name -> ExchangeQueue.Outcome.answered(Map.<String, Object>of("for", name)))
        .toList();
  }

  private static ExchangeQueue.Request request(String computer) {
    return new ExchangeQueue.Request(
        computer.getBytes(StandardCharsets.UTF_8), Optional.empty(), WireMap.of(Map.of()), 10);
  }

  private static String name(ExchangeQueue.Request request) {
    return new String(request.secureIdHash(), StandardCharsets.UTF_8);
  }
}
