package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RemoveComputerActivity end to end: the job-handler removes, the exchange forgets. */
@ExtendWith(VertxExtension.class)
class RemoveComputerTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that removing a computer cancels its unfinished activities, answers its agent
   * unknown-id, hides it from the computer list and keeps its history.
   */
  @Test
  void removesAComputerAndKeepsItsHistory() {
    ProtocolClient agent = new ProtocolClient(fx.http);
    agent.exchange(List.of());
    agent.register(fx.accountName, fx.registrationKey, "doomed");
    long pending =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "ExecuteScriptRequest")
                    .put("computer_ids", new JsonArray().add(agent.insecureId))
                    .put("parameters", new JsonObject().put("code", "true")))
            .bodyAsJsonObject()
            .getLong("id");

    long removal =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "RemoveComputerActivity")
                    .put("computer_ids", new JsonArray().add(agent.insecureId)))
            .bodyAsJsonObject()
            .getLong("id");

    eventually(20, () -> status(removal).equals("succeeded"));
    assertThat(status(pending)).isEqualTo("canceled");
    assertThat(agent.exchange(List.of()).mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.text("type")).isEqualTo("unknown-id"));
    assertThat(fx.get("/computers/" + agent.insecureId).statusCode()).isEqualTo(404);
    assertThat(fx.get("/activities/" + pending).statusCode()).isEqualTo(200);
  }

  private static String status(long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject().getString("status");
  }
}
