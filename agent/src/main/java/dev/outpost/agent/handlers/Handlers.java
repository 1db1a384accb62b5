package dev.outpost.agent.handlers;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of an agent, by the message type each takes. */
public final class Handlers {

  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);

  private final Map<String, Handler> byType = new LinkedHashMap<>();
  private final List<Handler> handlers;

  private Handlers(List<Handler> handlers) {
    this.handlers = List.copyOf(handlers);
    for (Handler handler : handlers) {
      handler.types().forEach(type -> byType.putIfAbsent(type, handler));
    }
  }

  /**
   * A real agent's handlers: scripts (as the users the configuration allows, in workspaces under
   * the data dir), signals and resynchronize for real; shutdown and user management for real when
   * enabled, refused otherwise; every other message type of {@link ActivityTypes} (packages, snaps,
   * Ubuntu Pro, USG, child computers) simulated.
   *
   * @throws IllegalStateException when a real handler takes a message type no client activity type
   *     has, or two take the same one: the agent does not start
   */
  public static Handlers real(
      Vertx vertx, AgentConfig config, RandomGenerator random, Clock clock) {
    return withSimulatedRest(
        vertx,
        List.of(
            new ScriptHandler(vertx, config.dataDir(), config.scriptUsers(), clock),
            new SignalHandler(vertx),
            new ResynchronizeHandler(),
            new ShutdownHandler(vertx, config.enableShutdown()),
            new UserHandler(vertx, config.enableUserManagement()),
            new PackageHandler(vertx, config.enablePackageManagement())),
        random);
  }

  /** The real handlers, once checked, and every other client message type simulated. */
  static Handlers withSimulatedRest(Vertx vertx, List<Handler> real, RandomGenerator random) {
    Set<String> taken = checked(real);
    List<String> rest = messageTypes().stream().filter(t -> !taken.contains(t)).toList();
    List<Handler> all = new ArrayList<>(real);
    all.add(new SimulatedHandler(vertx, rest, Duration.ZERO, 0, random));
    return new Handlers(all);
  }

  /**
   * The message types the real handlers take, once each is known to be the message type of a client
   * activity type and taken by one handler only.
   *
   * @throws IllegalStateException naming each type that is not
   */
  static Set<String> checked(List<Handler> real) {
    Set<String> known = messageTypes();
    Set<String> taken = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Handler handler : real) {
      for (String type : handler.types()) {
        if (!known.contains(type)) {
          problems.add(
              handler.getClass().getSimpleName()
                  + " takes message type '"
                  + type
                  + "', which no client activity type sends");
        } else if (!taken.add(type)) {
          problems.add("message type '" + type + "' is taken by two handlers");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    return taken;
  }

  /** Every message type simulated, for load tests. */
  public static Handlers simulated(
      Vertx vertx, Duration latency, double failureRate, RandomGenerator random) {
    return new Handlers(
        List.of(
            new SimulatedHandler(
                vertx, List.copyOf(messageTypes()), latency, failureRate, random)));
  }

  /** Every message type simulated, each as its profile says. */
  public static Handlers simulated(
      Vertx vertx, Function<String, SimulatedHandler.Profile> profiles, RandomGenerator random) {
    return new Handlers(
        List.of(new SimulatedHandler(vertx, List.copyOf(messageTypes()), profiles, random)));
  }

  /** The message types of every client activity type. */
  static Set<String> messageTypes() {
    Set<String> types = new TreeSet<>();
    ActivityTypes.all().stream()
        .filter(ActivityType::isClient)
        .forEach(type -> type.messageType().ifPresent(types::add));
    return types;
  }

  /** The handler of a message type. */
  public Optional<Handler> find(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** The message types handled. */
  public Set<String> types() {
    return new TreeSet<>(byType.keySet());
  }

  /**
   * Stops an operation the server canceled; one that no handler runs (finished, unknown, or of a
   * type that cannot be stopped) is left alone.
   */
  public void cancel(long operationId) {
    boolean found = false;
    for (Handler handler : handlers) {
      found |= handler.cancel(operationId);
    }
    if (found) {
      LOG.info("operation canceled by the server, stopping it [id: {}]", operationId);
    } else {
      LOG.info("cancel of an operation not running ignored [id: {}]", operationId);
    }
  }

  /** Readies the handlers once the agent holds its data dir; see {@link Handler#start()}. */
  public Future<Void> start() {
    Future<Void> chain = Future.succeededFuture();
    for (Handler handler : handlers) {
      chain = chain.compose(v -> handler.start());
    }
    return chain;
  }

  /** Stops what the handlers still run. */
  public Future<Void> close() {
    return Future.join(handlers.stream().map(Handler::close).toList()).mapEmpty();
  }
}
