package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent reads the time from the clock it is given, as the server does. */
@ExtendWith(VertxExtension.class)
class AgentClockTest {

  private static final Instant THEN = Instant.parse("2031-06-01T12:00:00Z");

  @TempDir Path dataDir;

  private AgentFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  /**
   * Verifies that the operations an agent runs are stamped with its injected clock's time.
   *
   * <p>GIVEN an agent started on a clock fixed at a known instant; WHEN it runs a script; THEN its
   * journal entry for the operation says it started at that instant.
   */
  @Test
  void theJournalIsStampedWithTheInjectedClock(Vertx vertx) throws Exception {
    fx = new AgentFixture(vertx);
    AgentVerticle agent =
        fx.start(fx.config(dataDir, "clocked-1"), Clock.fixed(THEN, ZoneOffset.UTC));

    long id = fx.script(AgentFixture.computerOf(agent), "echo clocked", 60);

    assertThat(fx.awaitFinal(id).getString("status")).isEqualTo("succeeded");
    JsonObject entry =
        new JsonObject(Files.readString(dataDir.resolve("operations").resolve(id + ".json")));
    assertThat(entry.getString("started-at")).isEqualTo(THEN.toString());
  }
}
