package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Canceling a running script on the server stops it on the agent, and everything it started. */
@ExtendWith(VertxExtension.class)
class CancelTest {

  private static AgentFixture fx;
  private static long computer;

  @TempDir static Path dataDir;

  @TempDir Path scratch;

  private final List<Long> pids = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
    computer = AgentFixture.computerOf(fx.start(fx.config(dataDir, "cancel")));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void killLeftovers() {
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  /**
   * Verifies that canceling a running script kills it, its background children and a child that
   * forked twice to leave it, that the activity stays Canceled, and that the agent's result, saying
   * the script was canceled, is recorded on it.
   */
  @Test
  void aCanceledScriptDiesWithEverythingItStarted() throws Exception {
    Path file = scratch.resolve("pids");
    long id =
        fx.script(
            computer,
            String.join(
                "\n",
                "echo $$ >> " + file,
                "sleep 600 & echo $! >> " + file,
                "(sleep 600 & echo $! >> " + file + ")",
                "echo started",
                "sleep 600 & echo $! >> " + file,
                "wait"),
            3600);
    await()
        .atMost(AgentFixture.PATIENCE)
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() == 4);
    Files.readAllLines(file).forEach(line -> pids.add(Long.parseLong(line.strip())));
    assertThat(pids).allMatch(Processes::running);

    fx.server.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    await().atMost(AgentFixture.PATIENCE).until(() -> pids.stream().noneMatch(Processes::running));
    JsonObject canceled =
        await()
            .atMost(AgentFixture.PATIENCE)
            .until(() -> fx.activity(id), a -> a.getString("result_text") != null);
    assertThat(canceled.getString("status")).isEqualTo("canceled");
    assertThat(canceled.getString("result_text"))
        .startsWith("started\n")
        .contains("canceled by the server");
    assertThat(fx.transitions(id)).last().isEqualTo("in-progress->canceled");
  }
}
