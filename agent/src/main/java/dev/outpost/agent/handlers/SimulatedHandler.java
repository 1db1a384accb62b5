package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Pretends to carry out operations: after a latency, succeeds with a text saying what a real agent
 * would have done, or fails at the given rate. {@code change-packages} is answered by a {@code
 * change-packages-result}, as in Landscape.
 */
public final class SimulatedHandler implements Handler {

  private final Vertx vertx;
  private final List<String> types;
  private final Duration latency;
  private final double failureRate;
  private final RandomGenerator random;

  /**
   * Simulates the given message types.
   *
   * @param latency how long an operation takes: a random time up to twice this, this on average
   * @param failureRate the share of operations that fail, 0 to 1
   */
  public SimulatedHandler(
      Vertx vertx,
      List<String> types,
      Duration latency,
      double failureRate,
      RandomGenerator random) {
    if (failureRate < 0 || failureRate > 1) {
      throw new IllegalArgumentException("the failure rate must be between 0 and 1");
    }
    this.vertx = vertx;
    this.types = List.copyOf(types);
    this.latency = latency;
    this.failureRate = failureRate;
    this.random = random;
  }

  @Override
  public List<String> types() {
    return types;
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    return delay().map(v -> reply(operation, random.nextDouble() >= failureRate));
  }

  private Future<Void> delay() {
    long millis = latency.toMillis() == 0 ? 0 : random.nextLong(2 * latency.toMillis() + 1);
    if (millis == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(millis, id -> waited.complete());
    return waited.future();
  }

  private static Map<String, Object> reply(Operation operation, boolean success) {
    String text =
        success
            ? Simulations.describe(operation.type(), operation.message())
            : "simulated failure of " + operation.type();
    if (operation.type().equals("change-packages")) {
      return Replies.changePackages(
          operation.id(), success ? Replies.PACKAGES_OK : Replies.PACKAGES_ERROR, text);
    }
    if (operation.type().equals("resynchronize")) {
      return Replies.resynchronize(operation.id());
    }
    return success ? Replies.succeeded(operation.id(), text) : Replies.failed(operation.id(), text);
  }
}
