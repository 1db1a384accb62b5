package dev.outpost.agent.exchange;

import static dev.outpost.server.TestSupport.await;

import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.state.AgentStore;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

/** Agents of the tests, started as a verticle starts them. */
final class StartedAgents {

  private StartedAgents() {}

  /**
   * Starts an agent with simulated handlers that answer at once, on a context of its own (the agent
   * runs there), and waits until it started.
   */
  static Agent start(
      Vertx vertx,
      AgentStore store,
      ServerLink link,
      AgentSettings settings,
      AgentListener listener,
      Random random) {
    Promise<Agent> started = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                Agent.start(
                        vertx,
                        store,
                        link,
                        Handlers.simulated(vertx, Duration.ZERO, 0, random),
                        settings,
                        listener,
                        random,
                        Clock.systemUTC())
                    .onComplete(started));
    return await(started.future());
  }
}
