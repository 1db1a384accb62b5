package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.AgentSettings;
import dev.outpost.agent.exchange.Registration;
import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** The simulated agents that share one event loop. */
final class FleetSlice extends VerticleBase {

  /** Finished operations a simulated agent remembers: its journal is only for repeats. */
  private static final int JOURNAL_SIZE = 16;

  private final FleetConfig config;
  private final List<Integer> indexes;
  private final ServerLink link;
  private final Handlers handlers;
  private final FleetStats stats;
  private final RandomGenerator random;
  private final List<Agent> agents = new ArrayList<>();

  FleetSlice(FleetConfig config, List<Integer> indexes, ServerLink link, Handlers handlers,
      FleetStats stats, RandomGenerator random) {
    this.config = config;
    this.indexes = indexes;
    this.link = link;
    this.handlers = handlers;
    this.stats = stats;
    this.random = random;
  }

  @Override
  public Future<?> start() {
    List<Future<Agent>> started = new ArrayList<>(indexes.size());
    for (int index : indexes) {
      String title = Fleet.title(config.titlePrefix(), index, config.agents());
      Registration registration = new Registration(config.accountName(),
          config.registrationKey(), title, title + ".simulated", config.tags());
      AgentSettings settings = new AgentSettings(registration, config.intervals(),
          config.backoff(), Duration.ofMillis(random.nextLong(config.rampUp().toMillis() + 1)),
          JOURNAL_SIZE);
      started.add(Agent.start(vertx, MemoryStore.INSTANCE, link, handlers, settings, stats,
          random).onSuccess(agents::add));
    }
    return Future.all(started);
  }

  @Override
  public Future<?> stop() {
    return Future.join(agents.stream().map(Agent::stop).toList());
  }
}
