package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Intervals;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The account's client intervals, set through the admin API, followed by a real agent. */
@ExtendWith(VertxExtension.class)
class IntervalsTest {

  @TempDir Path dataDir;

  /**
   * Verifies that intervals an admin sets on the account reach a running agent at its next exchange
   * and become the intervals it follows, that an interval the account leaves unset stays the
   * agent's own, and that an agent started again from its data dir still follows them.
   */
  @Test
  void theAccountsIntervalsAreFollowedAndKept(Vertx vertx) {
    try (AgentFixture fx = new AgentFixture(vertx)) {
      AgentConfig config = fx.config(dataDir, "intervals");
      AgentVerticle agent = fx.start(config);
      Intervals own = agent.agent().intervals();
      assertThat(own).isEqualTo(config.intervals());

      assertThat(
              fx.server
                  .patch(
                      "/account",
                      new JsonObject().put("exchange_interval", 600).put("ping_interval", 45))
                  .statusCode())
          .isEqualTo(200);

      Intervals set = new Intervals(Duration.ofSeconds(600), own.urgent(), Duration.ofSeconds(45));
      await().atMost(AgentFixture.PATIENCE).until(() -> agent.agent().intervals().equals(set));

      fx.stop(agent);
      AgentVerticle again = fx.start(config);
      assertThat(again.agent().intervals()).isEqualTo(set);
    }
  }
}
