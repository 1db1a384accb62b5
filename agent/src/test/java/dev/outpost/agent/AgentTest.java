package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real agent against a real server: registration, scripts, and the other handlers. */
@ExtendWith(VertxExtension.class)
class AgentTest {

  private static AgentFixture fx;
  private static AgentVerticle agent;
  private static long computer;

  @TempDir static Path dataDir;

  @TempDir Path scratch;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
    agent = fx.start(fx.config(dataDir, "agent-test"));
    computer = AgentFixture.computerOf(agent);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Verifies that the agent registered: the computer is listed under its title. */
  @Test
  void registersWithTheServer() {
    JsonObject listed = fx.server.get("/computers/" + computer).bodyAsJsonObject();

    assertThat(listed.getString("title")).isEqualTo("agent-test");
    assertThat(dataDir.resolve("identity.json")).exists();
  }

  /**
   * Verifies that a script runs and its output comes back as the result of a Succeeded activity.
   */
  @Test
  void runsAScript() {
    long id = fx.script(computer, "echo hello", 60);

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).contains("hello");
  }

  /** Verifies that a script exiting non-zero fails with code 103 and its output as the text. */
  @Test
  void aFailingScriptFailsWithCode103() {
    long id = fx.script(computer, "echo oops; exit 3", 60);

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getInteger("result_code")).isEqualTo(103);
    assertThat(done.getString("result_text")).contains("oops");
  }

  /**
   * Verifies that a script over its time limit fails with code 102, and that what it started is
   * killed with it.
   */
  @Test
  void aScriptOverItsTimeLimitIsKilledWithWhatItStarted() throws Exception {
    Path pids = scratch.resolve("pids");
    long id = fx.script(computer, "sleep 300 & echo $! > " + pids + "; echo started; wait", 1);

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getInteger("result_code")).isEqualTo(102);
    assertThat(done.getString("result_text")).contains("started", "time limit");
    long child = Long.parseLong(Files.readString(pids).strip());
    await().atMost(AgentFixture.PATIENCE).until(() -> !Processes.running(child));
  }

  /**
   * Verifies that a script printing NUL, which PostgreSQL refuses in text, is answered with it
   * replaced by U+FFFD, and that the computer goes on receiving activities.
   */
  @Test
  void aScriptPrintingNulIsAnsweredWithTextTheServerCanStore() {
    long id = fx.script(computer, "printf 'a\\0b'", 60);

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).isEqualTo("a\ufffdb");
    long next = fx.script(computer, "echo next", 60);
    assertThat(fx.awaitFinal(next).getString("result_text")).contains("next");
  }

  /** Verifies that attachments are fetched into $LANDSCAPE_ATTACHMENTS and env is passed. */
  @Test
  void givesTheScriptItsAttachmentsAndEnvironment() {
    long id =
        fx.activity(
            "ExecuteScriptRequest",
            computer,
            new JsonObject()
                .put("code", "cat \"$LANDSCAPE_ATTACHMENTS/a.txt\"; echo \" $GREETING\"")
                .put("attachments", new JsonObject().put("a.txt", "attached!"))
                .put("env", new JsonObject().put("GREETING", "hi there")));

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).contains("attached! hi there");
  }

  /** Verifies that an agent running as root runs a script as the user asked for. */
  @Test
  void runsAScriptAsAnotherUser() {
    long id =
        fx.activity(
            "ExecuteScriptRequest",
            computer,
            new JsonObject().put("code", "id -un").put("username", "nobody"));

    JsonObject done = fx.awaitFinal(id);

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text").strip()).isEqualTo("nobody");
  }

  /** Verifies that signal-process checks the name and signals the process. */
  @Test
  void signalsAProcess() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "300").start();
    try {
      long started = sleeper.info().startInstant().orElseThrow().getEpochSecond();
      long wrongName =
          fx.activity(
              "SignalProcessRequest",
              computer,
              new JsonObject()
                  .put("pid", sleeper.pid())
                  .put("name", "bash")
                  .put("start_time", started)
                  .put("signal", "TERM"));
      assertThat(fx.awaitFinal(wrongName).getString("status")).isEqualTo("failed");
      assertThat(sleeper.isAlive()).isTrue();

      long id =
          fx.activity(
              "SignalProcessRequest",
              computer,
              new JsonObject()
                  .put("pid", sleeper.pid())
                  .put("name", "sleep")
                  .put("start_time", started)
                  .put("signal", "TERM"));

      assertThat(fx.awaitFinal(id).getString("status")).isEqualTo("succeeded");
      await().atMost(AgentFixture.PATIENCE).until(() -> !sleeper.isAlive());
    } finally {
      sleeper.destroyForcibly();
    }
  }

  /** Verifies that shutdown and user management fail, saying so, unless enabled. */
  @Test
  void refusesWhatIsNotEnabled() {
    long shutdown = fx.activity("RestartRequest", computer, new JsonObject());
    long user =
        fx.activity(
            "CreateUserRequest", computer, new JsonObject().put("username", "outpost-test-user"));

    JsonObject refusedShutdown = fx.awaitFinal(shutdown);
    JsonObject refusedUser = fx.awaitFinal(user);

    assertThat(refusedShutdown.getString("status")).isEqualTo("failed");
    assertThat(refusedShutdown.getString("result_text")).contains("disabled", "--enable-shutdown");
    assertThat(refusedUser.getString("status")).isEqualTo("failed");
    assertThat(refusedUser.getString("result_text")).contains("disabled");
  }

  /**
   * Verifies that package, snap and the other simulated types succeed saying what would have been
   * done, and that resynchronize is answered.
   */
  @Test
  void simulatesWhatItDoesNotCarryOut() {
    long snaps =
        fx.activity(
            "InstallSnaps",
            computer,
            new JsonObject()
                .put("snaps", new JsonArray().add(new JsonObject().put("name", "hello"))));
    long packages =
        fx.activity(
            "ChangePackagesRequest",
            computer,
            new JsonObject().put("install", new JsonArray().add("nginx")));
    long resync = fx.activity("ResynchronizeRequest", computer, new JsonObject());

    JsonObject snapsDone = fx.awaitFinal(snaps);
    JsonObject packagesDone = fx.awaitFinal(packages);

    assertThat(snapsDone.getString("status")).isEqualTo("succeeded");
    assertThat(snapsDone.getString("result_text")).contains("would have installed snaps [hello]");
    assertThat(packagesDone.getString("status")).isEqualTo("succeeded");
    assertThat(packagesDone.getString("result_text")).contains("install [nginx]");
    assertThat(fx.awaitFinal(resync).getString("status")).isEqualTo("succeeded");
  }

  /**
   * Verifies that a ping answering true brings the next exchange forward: an agent without the
   * channel, whose regular exchanges are an hour apart, still runs an activity created after it
   * registered, as the Landscape Client would.
   */
  @Test
  void aPingSayingMessagesWaitBringsTheExchangeForward() throws Exception {
    AgentConfig base = fx.config(scratch.resolve("data"), "pinged-1");
    AgentVerticle pinged =
        fx.start(
            new AgentConfig(
                base.urls(),
                base.accountName(),
                base.registrationKey(),
                base.computerTitle(),
                base.hostname(),
                base.tags(),
                base.dataDir(),
                new Intervals(Duration.ofHours(1), Duration.ofMillis(50), Duration.ofMillis(100)),
                base.backoffMin(),
                base.backoffMax(),
                base.requestTimeout(),
                false,
                false,
                base.scriptUsers(),
                false,
                ServerTrust.SYSTEM,
                false));

    try {
      long id = fx.script(AgentFixture.computerOf(pinged), "echo pinged", 60);

      assertThat(fx.awaitFinal(id).getString("result_text")).contains("pinged");
    } finally {
      fx.stop(pinged);
    }
  }
}
