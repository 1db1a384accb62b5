package dev.outpost.agent.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.state.Identity;
import dev.outpost.agent.state.MemoryStore;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When a registered agent that starts later than at once (a simulated fleet's ramp-up) pings. */
@ExtendWith(VertxExtension.class)
class FirstPingTest {

  private static final Duration HOURS = Duration.ofHours(6);

  /**
   * Verifies that an agent whose first exchange is set a while after its start pings only from then
   * on, so that a fleet ramping its agents up ramps their pings up too: GIVEN a registered agent
   * pinging every 50 ms whose first exchange comes 500 ms after it starts WHEN it starts THEN the
   * first request the server gets is that exchange, and its pings follow.
   */
  @Test
  void pingsStartWithTheFirstExchange(Vertx vertx) throws Exception {
    BlockingQueue<String> paths = new LinkedBlockingQueue<>();
    HttpServer server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .body()
                            .onSuccess(
                                body -> {
                                  paths.add(request.path());
                                  Object answer =
                                      request.path().endsWith("/ping")
                                          ? Map.of("messages", false)
                                          : Map.of(
                                              "server-api", Bytes.of("3.3"),
                                              "server-uuid", Bytes.of("uuid"),
                                              "messages", List.of());
                                  request
                                      .response()
                                      .putHeader("Content-Type", Bpickle.MEDIA_TYPE)
                                      .end(Bpickle.encodeToBuffer(answer));
                                }))
                .listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    WebSocketClient channels = vertx.createWebSocketClient();
    String base = "http://127.0.0.1:" + server.actualPort();
    ServerLink link =
        new ServerLink(
            client,
            channels,
            ServerUrls.of(base + "/message-system", Optional.of(base + "/ping")),
            ServerTrust.SYSTEM,
            Duration.ofMinutes(2));
    AgentSettings settings =
        new AgentSettings(
            new Registration("standalone", Optional.empty(), "late", "late.test", Optional.empty()),
            new Intervals(HOURS, HOURS, Duration.ofMillis(50)),
            new Backoff(HOURS, HOURS),
            Duration.ofMillis(500),
            false,
            AgentSettings.JOURNAL_SIZE,
            false,
            false);
    Agent agent =
        StartedAgents.start(
            vertx,
            MemoryStore.registered(new Identity("late-secure-id", 42)),
            link,
            settings,
            AgentListener.NONE,
            new Random(1));
    try {
      assertThat(paths.poll(30, TimeUnit.SECONDS))
          .as("the first request")
          .isEqualTo("/message-system");
      assertThat(paths.poll(30, TimeUnit.SECONDS)).as("the next request").isEqualTo("/ping");
    } finally {
      await(agent.stop());
      await(server.close());
      client.close();
      await(channels.close());
    }
  }
}
