package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An agent process killed with SIGKILL while a script runs, then started again. */
@ExtendWith(VertxExtension.class)
class RestartTest {

  private static AgentFixture fx;

  @TempDir Path dataDir;

  @TempDir Path scratch;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that when the agent is killed mid-operation, the agent started again from the same
   * data dir kills what the script left running, reports the activity Failed saying the agent
   * restarted, and never runs the script a second time.
   */
  @Test
  void anOperationInterruptedByAKillIsReportedFailedAndNotRunAgain() throws Exception {
    Path runs = scratch.resolve("runs");
    Process first = launch(scratch.resolve("agent.log"));
    try {
      Path identity = dataDir.resolve("identity.json");
      await().atMost(AgentFixture.PATIENCE).until(() -> Files.exists(identity));
      long computer = new JsonObject(Files.readString(identity)).getLong("insecure-id");

      long id =
          fx.script(computer, "echo $$ >> " + runs + "; sleep 300; echo finished >> " + runs, 600);
      await()
          .atMost(AgentFixture.PATIENCE)
          .until(() -> Files.exists(runs) && Files.readAllLines(runs).size() == 1);
      long script = Long.parseLong(Files.readAllLines(runs).get(0).strip());

      first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Processes.running(script)).as("the script outlived its agent").isTrue();

      fx.start(fx.config(dataDir, "restart-1"));
      JsonObject done = fx.awaitFinal(id);

      assertThat(done.getString("status")).isEqualTo("failed");
      assertThat(done.getString("result_text")).contains("agent restarted", "not run again");
      await().atMost(AgentFixture.PATIENCE).until(() -> !Processes.running(script));
      assertThat(Files.readAllLines(runs)).containsExactly(Long.toString(script));
      assertThat(fx.transitions(id))
          .containsExactly("null->queued", "queued->in-progress", "in-progress->failed");
    } finally {
      first.destroyForcibly();
      fx.stopAgents();
    }
  }

  /** The agent as its own JVM, as it runs on a machine. */
  private Process launch(Path log) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run"));
    command.addAll(fx.arguments(dataDir, "restart-1"));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    assertThat(process.isAlive()).as(() -> read(log)).isTrue();
    return process;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
