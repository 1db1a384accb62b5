package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.AgentListener;
import dev.outpost.agent.exchange.AgentSettings;
import dev.outpost.agent.exchange.Protocol;
import dev.outpost.agent.exchange.Registration;
import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.exchange.TimerWheel;
import dev.outpost.agent.exchange.Timers;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.Identity;
import dev.outpost.agent.state.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** The simulated agents that share one event loop. */
final class FleetSlice extends VerticleBase {

  /** Finished operations a simulated agent remembers: its journal is only for repeats. */
  private static final int JOURNAL_SIZE = 16;

  /** Agents started per turn of the event loop. */
  private static final int CHUNK = 100;

  /** How often the agents' timer wheel turns: their timers fire up to this late. */
  static final long TICK_MS = 20;

  private final FleetConfig config;
  private final List<Integer> indexes;
  private final ServerLink link;
  private final Handlers handlers;
  private final FleetStats stats;
  private final RandomGenerator random;
  private final Clock clock;

  /** The identities agents start with, by title, until they have started. */
  private Map<String, Identity> identities;

  private final List<Agent> agents = new ArrayList<>();
  private final List<Reporter> reporters = new ArrayList<>();
  private TimerWheel wheel;

  FleetSlice(
      FleetConfig config,
      List<Integer> indexes,
      ServerLink link,
      Handlers handlers,
      FleetStats stats,
      RandomGenerator random,
      Clock clock,
      Map<String, Identity> identities) {
    this.identities = identities;
    this.config = config;
    this.indexes = indexes;
    this.link = link;
    this.handlers = handlers;
    this.stats = stats;
    this.random = random;
    this.clock = clock;
  }

  /** The agents, once started. */
  List<Agent> agents() {
    return agents;
  }

  @Override
  public Future<?> start() {
    wheel = new TimerWheel(vertx, TICK_MS);
    wheel.start();
    return startFrom(0);
  }

  /** Starts the agents a chunk at a time, letting the event loop breathe in between. */
  private Future<Void> startFrom(int first) {
    int end = Math.min(first + CHUNK, indexes.size());
    for (int i = first; i < end; i++) {
      int index = indexes.get(i);
      AgentSettings settings = settings(index);
      AgentListener listener = stats;
      Reporter reporter = null;
      if (!config.scenario().reports().isEmpty()) {
        reporter =
            new Reporter(
                new AgentReports(config.scenario(), index, settings.registration().hostname()));
        reporters.add(reporter);
        listener = reporter;
      }
      Reporter r = reporter;
      // a memory store loads at once: the agent is started when this returns
      Identity identity = identities.get(settings.registration().title());
      MemoryStore store =
          identity == null ? MemoryStore.INSTANCE : MemoryStore.registered(identity);
      Agent.start(vertx, store, link, handlers, settings, listener, random, clock, wheel)
          .onSuccess(
              agent -> {
                agents.add(agent);
                if (r != null) {
                  r.agent = agent;
                }
              });
    }
    if (end == indexes.size()) {
      identities = Map.of();
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
    boolean open = config.open().isPresent();
    return new AgentSettings(
        registration,
        config.intervals(),
        config.backoff(),
        Duration.ofMillis(random.nextLong(config.rampUp().toMillis() + 1)),
        true,
        JOURNAL_SIZE,
        config.channel() && !open,
        open);
  }

  @Override
  public Future<?> stop() {
    reporters.forEach(Reporter::stop);
    return Future.join(agents.stream().map(Agent::stop).toList()).onComplete(done -> wheel.stop());
  }

  /**
   * Sends one agent's reports: all of them once it has registered, then each on its interval; and
   * passes on what the agent does to the fleet's counts.
   */
  private final class Reporter implements AgentListener {
    private final AgentReports reports;
    private final List<Timers.Timer> timers = new ArrayList<>(2);
    private boolean repeating;
    private boolean stopped;
    private Agent agent;

    Reporter(AgentReports reports) {
      this.reports = reports;
    }

    @Override
    public void registered() {
      stats.registered();
      if (agent == null) {
        return;
      }
      reports.atRegistration().forEach(this::send);
      if (!repeating) {
        repeating = true;
        for (Scenario.Report report : config.scenario().reports().values()) {
          report
              .every()
              .ifPresent(
                  every -> {
                    long ms = every.toMillis();
                    timers.add(null);
                    repeat(timers.size() - 1, 1 + random.nextLong(ms), ms, report);
                  });
        }
      }
    }

    /** Sends a report after {@code delayMs}, then every {@code everyMs}. */
    private void repeat(int timer, long delayMs, long everyMs, Scenario.Report report) {
      if (stopped) {
        return;
      }
      timers.set(
          timer,
          wheel.set(
              delayMs,
              () -> {
                send(reports.later(report));
                repeat(timer, everyMs, everyMs, report);
              }));
    }

    private void send(Map<String, Object> message) {
      String type = String.valueOf(message.get("type"));
      agent
          .report(message, config.scenario().sendUnaccepted())
          .onSuccess(queued -> stats.reported(type, queued));
    }

    void stop() {
      stopped = true;
      for (Timers.Timer timer : timers) {
        if (timer != null) {
          timer.cancel();
        }
      }
      timers.clear();
    }

    @Override
    public void exchanged(Protocol.Outcome outcome, long nanos) {
      stats.exchanged(outcome, nanos);
    }

    @Override
    public void exchangeFailed(Throwable cause, long nanos) {
      stats.exchangeFailed(cause, nanos);
    }

    @Override
    public void answered(long operationId, boolean success) {
      stats.answered(operationId, success);
    }
  }
}
