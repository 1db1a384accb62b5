package dev.outpost.agent;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.AgentListener;
import dev.outpost.agent.exchange.AgentSettings;
import dev.outpost.agent.exchange.Backoff;
import dev.outpost.agent.exchange.Registration;
import dev.outpost.agent.exchange.ServerLink;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.FileStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real agent of a managed machine: its state on disk, its handlers real where they can be. */
public final class AgentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);

  private final AgentConfig config;
  private final Clock clock;
  private WebClient client;
  private WebSocketClient channels;
  private Handlers handlers;
  private Agent agent;

  /** An agent with the given configuration, reading the time from {@code clock}. */
  public AgentVerticle(AgentConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    try {
      config.trust().check(config.urls());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e); // plain HTTP beyond loopback, or a CA that cannot be read
    }
    Random random = new Random();
    try {
      handlers = Handlers.real(vertx, config, random, clock);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e); // a handler naming a type no activity sends
    }
    client =
        WebClient.create(
            vertx, ServerLink.clientOptions(config.trust()), new PoolOptions().setHttp1MaxSize(2));
    channels = vertx.createWebSocketClient(ServerLink.channelOptions(1, config.trust()));
    ServerLink link =
        new ServerLink(client, channels, config.urls(), config.trust(), config.requestTimeout());
    Registration registration =
        new Registration(
            config.accountName(),
            config.registrationKey(),
            config.computerTitle(),
            config.hostname(),
            config.tags());
    AgentSettings settings =
        new AgentSettings(
            registration,
            config.intervals(),
            new Backoff(config.backoffMin(), config.backoffMax()),
            Duration.ZERO,
            false,
            AgentSettings.JOURNAL_SIZE,
            config.channel(),
            false);
    FileStore store = FileStore.in(vertx, config.dataDir());
    return Agent.start(vertx, store, link, handlers, settings, AgentListener.NONE, random, clock)
        .onSuccess(
            started -> {
              agent = started;
              LOG.info(
                  "agent started [server: {}, trusting: {}, data dir: {}, registered: {}]",
                  config.urls().exchange(),
                  config.trust().describe(),
                  store.dir(),
                  started.protocol().identity().isPresent());
            })
        .onFailure(e -> store.close());
  }

  @Override
  public Future<?> stop() {
    Future<Void> stopped = agent == null ? Future.succeededFuture() : agent.stop();
    return stopped
        .eventually(handlers::close)
        .onComplete(
            done -> {
              client.close();
              channels.close();
              LOG.info("agent stopped");
            });
  }

  /** The running agent. */
  public Agent agent() {
    return agent;
  }
}
