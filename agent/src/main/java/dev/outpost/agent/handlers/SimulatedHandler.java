package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Pretends to carry out operations: after a latency, succeeds with a text saying what a real agent
 * would have done, or fails at the given rate. {@code change-packages} is answered by a {@code
 * change-packages-result}, as in Landscape.
 */
public final class SimulatedHandler implements Handler {

  /**
   * How operations of one type behave.
   *
   * @param latency how long each takes
   * @param failureRate the share that fail, 0 to 1
   * @param resultBytes the least length of a successful result's text: a script's output, say
   */
  public record Profile(Latency latency, double failureRate, int resultBytes) {
    public Profile {
      if (failureRate < 0 || failureRate > 1) {
        throw new IllegalArgumentException("the failure rate must be between 0 and 1");
      }
      if (resultBytes < 0) {
        throw new IllegalArgumentException("the result size must not be negative");
      }
    }
  }

  private final Vertx vertx;
  private final List<String> types;
  private final Function<String, Profile> profiles;
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
    this(
        vertx,
        types,
        type ->
            new Profile(
                new Latency.Uniform(Duration.ZERO, latency.multipliedBy(2)), failureRate, 0),
        random);
  }

  /** Simulates the given message types, each as its profile says. */
  public SimulatedHandler(
      Vertx vertx, List<String> types, Function<String, Profile> profiles, RandomGenerator random) {
    this.vertx = vertx;
    this.types = List.copyOf(types);
    this.profiles = profiles;
    this.random = random;
  }

  @Override
  public List<String> types() {
    return types;
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    Profile profile = profiles.apply(operation.type());
    boolean success = random.nextDouble() >= profile.failureRate();
    return delay(profile.latency().millis(random))
        .map(v -> reply(operation, success, profile.resultBytes()));
  }

  private Future<Void> delay(long millis) {
    if (millis == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(millis, id -> waited.complete());
    return waited.future();
  }

  private static Map<String, Object> reply(Operation operation, boolean success, int resultBytes) {
    String text =
        success
            ? padded(Simulations.describe(operation.type(), operation.message()), resultBytes)
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

  /** The text, followed by lines of made-up output up to {@code bytes} in all. */
  static String padded(String text, int bytes) {
    if (text.length() >= bytes) {
      return text;
    }
    StringBuilder out = new StringBuilder(bytes + 64).append(text).append('\n');
    for (int line = 1; out.length() < bytes; line++) {
      out.append("simulated output line ").append(line).append(": ok\n");
    }
    out.setLength(bytes);
    return out.toString();
  }
}
