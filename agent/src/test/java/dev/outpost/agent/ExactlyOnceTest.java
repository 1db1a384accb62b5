package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Answers lost between a real agent and the server, by a proxy that drops them. */
@ExtendWith(VertxExtension.class)
class ExactlyOnceTest {

  private static AgentFixture fx;

  @TempDir Path dataDir;

  @TempDir Path scratch;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
  }

  private DroppingProxy proxy;

  @BeforeEach
  void startProxy(Vertx vertx) {
    proxy = DroppingProxy.start(vertx, fx.server.server.httpPort());
  }

  @AfterEach
  void stopAgentsThenProxy() {
    fx.stopAgents();
    proxy.close();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that an activity is delivered once, run once and its result recorded once when the
   * server's answers to both the exchange that delivered it and the exchange that carried its
   * result are lost after the server committed them.
   */
  @Test
  void lostAnswersNeitherLoseNorRepeatAnActivity() throws Exception {
    AgentVerticle agent = fx.start(fx.config(dataDir, "lossy-1", proxy.exchangeUrl()));
    proxy.dropOnce(
        "delivery", (sent, received) -> DroppingProxy.types(received).contains("execute-script"));
    proxy.dropOnce(
        "result", (sent, received) -> DroppingProxy.types(sent).contains("operation-result"));
    Path runs = scratch.resolve("runs");

    long id = fx.script(AgentFixture.computerOf(agent), "echo run >> " + runs + "; echo hello", 60);

    JsonObject done = fx.awaitFinal(id);
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).contains("hello");
    // the result went again after its answer was lost; wait until the server acknowledged it
    await()
        .atMost(AgentFixture.PATIENCE)
        .until(() -> proxy.dropped("result") == 1 && agent.agent().protocol().pending() == 0);
    assertThat(proxy.dropped("delivery")).isEqualTo(1);
    assertThat(Files.readAllLines(runs)).containsExactly("run");
    assertThat(fx.transitions(id))
        .containsExactly("null->queued", "queued->in-progress", "in-progress->succeeded");
  }

  /** Verifies that a script whose attachment cannot be fetched fails with code 104. */
  @Test
  void anAttachmentThatCannotBeFetchedFailsTheScript() {
    proxy.refuseAttachments();
    AgentVerticle agent = fx.start(fx.config(dataDir, "lossy-2", proxy.exchangeUrl()));

    long id =
        fx.activity(
            "ExecuteScriptRequest",
            AgentFixture.computerOf(agent),
            new JsonObject()
                .put("code", "cat \"$LANDSCAPE_ATTACHMENTS/a.txt\"")
                .put("attachments", new JsonObject().put("a.txt", "never read")));

    JsonObject done = fx.awaitFinal(id);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getInteger("result_code")).isEqualTo(104);
    assertThat(done.getString("result_text")).contains("a.txt");
  }

  /**
   * Verifies that exchanges answered 429 or 5xx are retried after a backoff, and that the agent
   * carries on once the server answers again.
   */
  @Test
  void backsOffOnRefusedExchangesAndCarriesOn() {
    proxy.refuseExchanges(429, 503, 500, 429);

    AgentVerticle agent = fx.start(fx.config(dataDir, "lossy-3", proxy.exchangeUrl()));

    assertThat(proxy.refused()).isEqualTo(4);
    long id = fx.script(AgentFixture.computerOf(agent), "echo still here", 60);
    assertThat(fx.awaitFinal(id).getString("result_text")).contains("still here");
  }
}
