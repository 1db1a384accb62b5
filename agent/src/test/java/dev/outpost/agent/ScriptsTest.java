package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.config.ScriptUsers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What limits scripts on a real agent: the users they may run as. */
@ExtendWith(VertxExtension.class)
class ScriptsTest {

  private static AgentFixture fx;
  private static long anyone;
  private static long defaults;

  @TempDir
  static Path anyoneDir;

  @TempDir
  static Path defaultsDir;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
    anyone = AgentFixture.computerOf(fx.start(fx.config(anyoneDir, "scripts-anyone",
        fx.exchangeUrl(), ScriptUsers.ALL)));
    defaults = AgentFixture.computerOf(fx.start(fx.config(defaultsDir, "scripts-default",
        fx.exchangeUrl(), ScriptUsers.DEFAULT)));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that an agent left at the Landscape Client's default runs scripts as nobody only and
   * refuses another user in the client's words, and that ALL allows anyone.
   */
  @Test
  void scriptsRunOnlyAsTheUsersAllowed() {
    long asNobody = fx.activity("ExecuteScriptRequest", defaults, new JsonObject()
        .put("code", "id -un").put("username", "nobody"));
    long asRoot = fx.script(defaults, "id -un", 60);
    long anyUser = fx.script(anyone, "id -un", 60);

    JsonObject ranAsNobody = fx.awaitFinal(asNobody);
    JsonObject refused = fx.awaitFinal(asRoot);
    JsonObject ranAsRoot = fx.awaitFinal(anyUser);

    assertThat(ranAsNobody.getString("status")).as(ranAsNobody.encode()).isEqualTo("succeeded");
    assertThat(ranAsNobody.getString("result_text").strip()).isEqualTo("nobody");
    assertThat(refused.getString("status")).isEqualTo("failed");
    assertThat(refused.getString("result_text")).isEqualTo("Scripts cannot be run as user root.");
    assertThat(refused.getValue("result_code")).isNull();
    assertThat(ranAsRoot.getString("status")).as(ranAsRoot.encode()).isEqualTo("succeeded");
    assertThat(ranAsRoot.getString("result_text").strip()).isEqualTo("root");
  }
}
