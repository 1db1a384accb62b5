package dev.outpost.agent;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent's channel against real servers: nudged from another instance sharing the database,
 * falling back to pings while it has no channel, and opening it again after it was cut. The agents
 * exchange every hour, so only a nudge (or, without the channel, a ping) explains a delivery.
 */
@ExtendWith(VertxExtension.class)
class ChannelTest {

  @TempDir Path dataDir;

  /** Regular exchanges an hour apart, urgent ones at once; pings as given. */
  private static AgentConfig hourly(AgentConfig base, Duration ping) {
    return new AgentConfig(
        base.urls(),
        base.accountName(),
        base.registrationKey(),
        base.computerTitle(),
        base.hostname(),
        base.tags(),
        base.dataDir(),
        new Intervals(Duration.ofHours(1), Duration.ofMillis(50), ping),
        base.backoffMin(),
        base.backoffMax(),
        base.requestTimeout(),
        false,
        false,
        base.scriptUsers(),
        true,
        ServerTrust.SYSTEM,
        false);
  }

  /**
   * Verifies that an activity created through another server instance reaches an agent whose
   * channel this one holds, although the agent neither pings nor exchanges for an hour: GIVEN an
   * agent connected to instance A, WHEN a script is created through instance B, THEN it succeeds.
   */
  @Test
  void anActivityCreatedOnAnotherInstanceIsDelivered(Vertx vertx) {
    try (AgentFixture fx = new AgentFixture(vertx);
        ServerFixture other = new ServerFixture(vertx)) {
      AgentVerticle agent =
          fx.start(hourly(fx.config(dataDir, "nudged-across"), Duration.ofHours(1)));
      long computer = AgentFixture.computerOf(agent);
      eventually(30, () -> fx.server.server.channels().holds(computer));
      WebClient viaOther = WebClient.create(vertx);

      JsonObject created =
          await(
                  viaOther
                      .post(other.server.httpPort(), "127.0.0.1", "/api/v2/activities")
                      .bearerTokenAuthentication(fx.server.token)
                      .sendJsonObject(
                          new JsonObject()
                              .put("type", "ExecuteScriptRequest")
                              .put("computer_ids", new JsonArray().add(computer))
                              .put("parameters", new JsonObject().put("code", "echo across"))))
              .bodyAsJsonObject();

      JsonObject done = fx.awaitFinal(created.getLong("id"));
      assertThat(done.getString("status")).isEqualTo("succeeded");
      assertThat(done.getString("result_text")).contains("across");
      viaOther.close();
    }
  }

  /**
   * Verifies that an agent refused a channel (the server holds none: {@code OUTPOST_CHANNELS=0})
   * learns of its activities by pinging, as without the channel.
   */
  @Test
  void anAgentWithoutAChannelPings(Vertx vertx) {
    try (AgentFixture fx = new AgentFixture(vertx, Map.of("OUTPOST_CHANNELS", "0"))) {
      AgentVerticle agent = fx.start(hourly(fx.config(dataDir, "refused"), Duration.ofMillis(200)));

      long id = fx.script(AgentFixture.computerOf(agent), "echo pinged", 60);

      assertThat(fx.awaitFinal(id).getString("result_text")).contains("pinged");
      assertThat(fx.server.server.channels().size()).isZero();
    }
  }

  /**
   * Verifies that a channel cut mid-run is opened again, and that what was created while it was
   * down reaches the agent: GIVEN an agent whose channel goes through a proxy, WHEN the proxy drops
   * every connection and a script is created, THEN once the proxy lets connections through the
   * script succeeds and the server holds the channel again.
   */
  @Test
  void aCutChannelIsOpenedAgain(Vertx vertx) {
    try (AgentFixture fx = new AgentFixture(vertx);
        TcpProxy proxy = new TcpProxy(vertx, "127.0.0.1", fx.server.server.httpPort())) {
      String viaProxy = "http://127.0.0.1:" + proxy.port() + "/message-system";
      AgentVerticle agent =
          fx.start(hourly(fx.config(dataDir, "cut", viaProxy), Duration.ofMillis(200)));
      long computer = AgentFixture.computerOf(agent);
      eventually(30, () -> fx.server.server.channels().holds(computer));

      proxy.cut();
      eventually(30, () -> !fx.server.server.channels().holds(computer));
      long id = fx.script(computer, "echo after the cut", 60);
      proxy.restore();

      assertThat(fx.awaitFinal(id).getString("result_text")).contains("after the cut");
      eventually(30, () -> fx.server.server.channels().holds(computer));
    }
  }
}
