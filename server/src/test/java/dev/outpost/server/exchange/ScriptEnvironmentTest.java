package dev.outpost.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.activity.Delivered;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Landscape's variables of a script's environment, as the server writes them into the message. */
class ScriptEnvironmentTest {

  private static final Delivered SCRIPT =
      new Delivered(
          42,
          7,
          "ExecuteScriptRequest",
          new JsonObject(),
          "alice",
          Instant.parse("2030-01-02T03:04:05Z"));

  /**
   * Verifies every variable, LANDSCAPE_URL only where the server knows its URL, and that the
   * activity's own variables are kept while Landscape's take the place of any of the same name.
   */
  @Test
  void namesTheComputerTheActivityAndTheServer() {
    Map<String, Object> env =
        ScriptEnvironment.of(
            SCRIPT,
            "web-1",
            List.of("web", "eu"),
            Optional.empty(),
            Map.of("OWN", "x", "LANDSCAPE_COMPUTER_ID", "forged"));

    assertThat(env)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "OWN", "x",
                "LANDSCAPE_COMPUTER_ID", "7",
                "LANDSCAPE_COMPUTER_TITLE", "web-1",
                "LANDSCAPE_COMPUTER_TAGS", "web,eu",
                "LANDSCAPE_ACTIVITY_ID", "42",
                "LANDSCAPE_ACTIVITY_CREATOR", "alice",
                "LANDSCAPE_ACTIVITY_CREATION_TIME", "2030-01-02T03:04:05Z"));
    assertThat(
            ScriptEnvironment.of(
                SCRIPT,
                "web-1",
                List.of("web", "eu"),
                Optional.of("https://outpost.example"),
                null))
        .containsEntry("LANDSCAPE_URL", "https://outpost.example")
        .doesNotContainKey("OWN");
  }
}
