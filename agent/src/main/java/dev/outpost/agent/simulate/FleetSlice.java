package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.AgentSettings;
import dev.outpost.agent.exchange.Registration;
import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** The simulated agents that share one event loop. */
final class FleetSlice extends VerticleBase {

  /** Finished operations a simulated agent remembers: its journal is only for repeats. */
  private static final int JOURNAL_SIZE = 16;

  /** Agents started per turn of the event loop. */
  private static final int CHUNK = 100;

  private final FleetConfig config;
  private final List<Integer> indexes;
  private final ServerLink link;
  private final Handlers handlers;
  private final FleetStats stats;
  private final RandomGenerator random;
  private final Clock clock;
  private final List<Agent> agents = new ArrayList<>();

  FleetSlice(
      FleetConfig config,
      List<Integer> indexes,
      ServerLink link,
      Handlers handlers,
      FleetStats stats,
      RandomGenerator random,
      Clock clock) {
    this.config = config;
    this.indexes = indexes;
    this.link = link;
    this.handlers = handlers;
    this.stats = stats;
    this.random = random;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return startFrom(0);
  }

  /** Starts the agents a chunk at a time, letting the event loop breathe in between. */
  private Future<Void> startFrom(int first) {
    int end = Math.min(first + CHUNK, indexes.size());
    for (int i = first; i < end; i++) {
      // a memory store loads at once: the agent is started when this returns
      Agent.start(
              vertx,
              MemoryStore.INSTANCE,
              link,
              handlers,
              settings(indexes.get(i)),
              stats,
              random,
              clock)
          .onSuccess(agents::add);
    }
    if (end == indexes.size()) {
      return Future.succeededFuture();
    }
    Promise<Void> rest = Promise.promise();
    context.runOnContext(v -> startFrom(end).onComplete(rest));
    return rest.future();
  }

  private AgentSettings settings(int index) {
    String title = Fleet.title(config.titlePrefix(), index, config.agents());
    Registration registration =
        new Registration(
            config.accountName(),
            config.registrationKey(),
            title,
            title + ".simulated",
            config.tags());
    return new AgentSettings(
        registration,
        config.intervals(),
        config.backoff(),
        Duration.ofMillis(random.nextLong(config.rampUp().toMillis() + 1)),
        true,
        JOURNAL_SIZE,
        config.channel());
  }

  @Override
  public Future<?> stop() {
    return Future.join(agents.stream().map(Agent::stop).toList());
  }
}
