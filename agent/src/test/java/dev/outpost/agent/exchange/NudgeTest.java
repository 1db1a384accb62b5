package dev.outpost.agent.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.state.MemoryStore;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nudges ({@link Agent#exchangeSoon}) against a server in the test that holds each exchange until
 * the test answers it, with every interval of the agent hours long: an exchange that comes while
 * the test runs comes from a nudge.
 */
@ExtendWith(VertxExtension.class)
class NudgeTest {

  /**
   * The agent's intervals and backoff: nothing but a nudge makes it exchange during the test. The
   * urgent interval too: a nudge's timer that fired while an exchange ran became a request for an
   * urgent exchange, which waits for that interval.
   */
  private static final Duration HOURS = Duration.ofHours(6);

  /** How long the test waits for an exchange it expects. */
  private static final long PATIENCE_SECONDS = 30;

  /** The exchanges that reached the server, each held until the test answers it. */
  private final BlockingQueue<Held> held = new LinkedBlockingQueue<>();

  /** The exchanges the agent finished: true for one that succeeded. */
  private final BlockingQueue<Boolean> ended = new LinkedBlockingQueue<>();

  private HttpServer server;
  private WebClient client;
  private WebSocketClient channels;
  private Agent agent;

  /** An exchange the server received, with the context its answer is written on. */
  private record Held(HttpServerRequest request, Context context) {

    /** Answers with no message: nothing for the agent to do, no reason to exchange soon. */
    void answer() {
      Map<String, Object> response = new LinkedHashMap<>();
      response.put("server-api", Bytes.of("3.3"));
      response.put("server-uuid", Bytes.of("uuid"));
      response.put("messages", List.of());
      context.runOnContext(
          v ->
              request
                  .response()
                  .putHeader("Content-Type", Bpickle.MEDIA_TYPE)
                  .end(Bpickle.encodeToBuffer(response)));
    }
  }

  @BeforeEach
  void start(Vertx vertx) {
    server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      Context context = Vertx.currentContext();
                      request.body().onSuccess(body -> held.add(new Held(request, context)));
                    })
                .listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
    channels = vertx.createWebSocketClient();
    ServerLink link =
        new ServerLink(
            client,
            channels,
            ServerUrls.of(
                "http://127.0.0.1:" + server.actualPort() + "/message-system", Optional.empty()),
            ServerTrust.SYSTEM,
            Duration.ofMinutes(2));
    AgentSettings settings =
        new AgentSettings(
            new Registration(
                "standalone", Optional.empty(), "nudged", "nudged.test", Optional.empty()),
            new Intervals(HOURS, HOURS, HOURS),
            new Backoff(HOURS, HOURS),
            Duration.ZERO,
            false,
            AgentSettings.JOURNAL_SIZE,
            false,
            false);
    AgentListener listener =
        new AgentListener() {
          @Override
          public void exchanged(Protocol.Outcome outcome, long nanos) {
            ended.add(true);
          }

          @Override
          public void exchangeFailed(Throwable cause, long nanos) {
            ended.add(false);
          }
        };
    agent =
        StartedAgents.start(vertx, MemoryStore.INSTANCE, link, settings, listener, new Random(1));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      await(agent.stop());
    }
    held.forEach(Held::answer);
    await(server.close());
    client.close();
    await(channels.close());
  }

  /**
   * Verifies that a nudge that comes while an exchange runs starts the next exchange as that one
   * ends, rather than being lost to the regular interval the ending exchange sets (hours here).
   */
  @Test
  void aNudgeWhileAnExchangeRunsStartsTheNextOneAsItEnds() throws Exception {
    // the first exchange, at start, answered: the next regular one is hours away
    next("the first exchange").answer();
    assertThat(ended.poll(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(held).isEmpty();

    agent.exchangeSoon();
    Held running = next("the exchange the first nudge asked for");
    agent.exchangeSoon();
    // runs on the agent's context after the second nudge: once it completes, the nudge was taken
    // while the exchange was still running (its answer not sent yet)
    assertThat(await(agent.report(Map.of("type", "not-accepted"), false))).isFalse();
    running.answer();
    assertThat(ended.poll(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();

    next("the exchange the second nudge asked for, as the running one ended");
  }

  /** The next exchange to reach the server, held; fails naming it when none comes. */
  private Held next(String which) throws InterruptedException {
    Held exchange = held.poll(PATIENCE_SECONDS, TimeUnit.SECONDS);
    assertThat(exchange).as(which + " did not come within " + PATIENCE_SECONDS + " s").isNotNull();
    return exchange;
  }
}
