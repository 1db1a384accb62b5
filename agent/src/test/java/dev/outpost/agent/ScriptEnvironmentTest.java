package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Landscape's variables in a script's environment, on a real agent: sent by the server in the
 * message's env, set by the agent's script handler.
 */
@ExtendWith(VertxExtension.class)
class ScriptEnvironmentTest {

  private static final String PUBLIC_URL = "https://outpost.example:8443/";

  private static AgentFixture fx;
  private static long computer;

  @TempDir static Path dataDir;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx, Map.of("OUTPOST_PUBLIC_URL", PUBLIC_URL));
    computer = AgentFixture.computerOf(fx.start(fx.config(dataDir, "env-box")));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a script targeted by tag sees LANDSCAPE_COMPUTER_ID, _TITLE and _TAGS, the
   * activity's id, creator and creation time, and the server's URL, and that the activity's own env
   * still reaches it.
   */
  @Test
  void aScriptSeesLandscapesVariables() {
    assertThat(
            fx.server
                .patch(
                    "/computers/" + computer,
                    new JsonObject().put("tags", new JsonArray().add("env-test").add("eu")))
                .statusCode())
        .isEqualTo(200);
    JsonObject created =
        fx.server
            .post(
                "/activities",
                new JsonObject()
                    .put("type", "ExecuteScriptRequest")
                    .put("query", "tag:env-test")
                    .put(
                        "parameters",
                        new JsonObject()
                            .put("code", "env | grep -e ^LANDSCAPE_ -e ^OWN= | sort")
                            .put("env", new JsonObject().put("OWN", "given"))))
            .bodyAsJsonObject();
    long id = created.getLong("id");

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text").lines())
        .contains(
            "LANDSCAPE_ACTIVITY_CREATION_TIME=" + created.getString("created_at"),
            "LANDSCAPE_ACTIVITY_CREATOR=" + AccountStore.BOOTSTRAP_EMAIL,
            "LANDSCAPE_ACTIVITY_ID=" + id,
            "LANDSCAPE_COMPUTER_ID=" + computer,
            "LANDSCAPE_COMPUTER_TAGS=env-test,eu",
            "LANDSCAPE_COMPUTER_TITLE=env-box",
            "LANDSCAPE_URL=" + PUBLIC_URL,
            "OWN=given");
  }
}
