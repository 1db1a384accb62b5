package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.ScriptUsers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What limits scripts on a real agent: the users they may run as, output that a background process
 * keeps open, and more scripts at once than the agent runs.
 */
@ExtendWith(VertxExtension.class)
class ScriptsTest {

  /** Scripts an agent runs at once. */
  private static final int PLACES = 16;

  private static AgentFixture fx;
  private static long anyone;
  private static long defaults;

  @TempDir static Path anyoneDir;

  @TempDir static Path defaultsDir;

  @TempDir Path scratch;

  private final List<Long> leftovers = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
    anyone =
        AgentFixture.computerOf(
            fx.start(fx.config(anyoneDir, "scripts-anyone", fx.exchangeUrl(), ScriptUsers.ALL)));
    defaults =
        AgentFixture.computerOf(
            fx.start(
                fx.config(defaultsDir, "scripts-default", fx.exchangeUrl(), ScriptUsers.DEFAULT)));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void killLeftovers() {
    leftovers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  /**
   * Verifies that an agent left at the Landscape Client's default runs scripts as nobody only and
   * refuses another user in the client's words, and that ALL allows anyone.
   */
  @Test
  void scriptsRunOnlyAsTheUsersAllowed() {
    long asNobody =
        fx.activity(
            "ExecuteScriptRequest",
            defaults,
            new JsonObject().put("code", "id -un").put("username", "nobody"));
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

  /**
   * Verifies that the agent's lines about an operation carry its id and the computer's in the MDC,
   * those its handler logs after the script ended (an asynchronous continuation, on another thread)
   * as well as the first.
   */
  @Test
  void theLinesAboutAnOperationCarryItsId() {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture =
        new ch.qos.logback.core.AppenderBase<>() {
          @Override
          protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            lines.add(event);
          }
        };
    capture.setContext(root.getLoggerContext());
    capture.start();
    root.addAppender(capture);
    try {
      long id = fx.script(anyone, "echo marked", 60);
      assertThat(fx.awaitFinal(id).getString("status")).isEqualTo("succeeded");

      for (String line :
          List.of("operation started [id: " + id, "script ended [operation: " + id)) {
        assertThat(lines)
            .filteredOn(e -> e.getFormattedMessage().startsWith(line))
            .isNotEmpty()
            .allSatisfy(
                e ->
                    assertThat(e.getMDCPropertyMap())
                        .containsEntry(
                            dev.outpost.agent.exchange.Agent.OPERATION, Long.toString(id))
                        .containsEntry(
                            dev.outpost.agent.exchange.Agent.COMPUTER, Long.toString(anyone)));
      }
    } finally {
      root.detachAppender(capture);
      capture.stop();
    }
  }

  /**
   * Verifies that a script that ends while a process it started in the background keeps its output
   * open is answered once its output has been read for a short while after its end, with what it
   * printed, well before its time limit.
   */
  @Test
  void aBackgroundProcessHoldingTheOutputDoesNotHoldTheResult() throws Exception {
    Path pid = scratch.resolve("pid");
    long id = fx.script(anyone, "sleep 1000 & echo $! > " + pid + "; echo started", 300);

    JsonObject done =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> fx.activity(id), a -> "succeeded".equals(a.getString("status")));

    leftovers.add(Long.parseLong(Files.readString(pid).strip()));
    assertThat(done.getString("result_text")).isEqualTo("started\n");
    assertThat(Processes.running(leftovers.get(0))).isTrue();
  }

  /**
   * Verifies that a script killed at its time limit is answered even though a process that left its
   * process group still holds its output open.
   */
  @Test
  void aScriptKilledAtItsTimeLimitIsAnsweredThoughAnEscapedProcessHoldsItsOutput()
      throws Exception {
    Path pid = scratch.resolve("pid");
    long id =
        fx.script(anyone, "setsid sleep 1000 & echo $! > " + pid + "; echo started; sleep 1000", 1);

    JsonObject done = fx.awaitFinal(id);

    leftovers.add(Long.parseLong(Files.readString(pid).strip()));
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getInteger("result_code")).isEqualTo(102);
    assertThat(done.getString("result_text")).startsWith("started\n").contains("time limit");
  }

  /**
   * Verifies that scripts beyond the sixteen the agent runs at once wait for a place and then run,
   * while other operations go on being answered.
   */
  @Test
  void scriptsBeyondSixteenWaitTheirTurnWithoutBlockingOthers() throws Exception {
    Path go = scratch.resolve("go");
    List<Long> blockers = blockers(go, 120);
    List<Long> extras = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      extras.add(
          fx.script(
              anyone, "touch " + scratch.resolve("started-extra-" + i) + "; echo extra-" + i, 120));
    }
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> started() >= PLACES);

      long other = fx.activity("ResynchronizeRequest", anyone, new JsonObject());
      assertThat(fx.awaitFinal(other).getString("status")).isEqualTo("succeeded");
      assertThat(started()).isEqualTo(PLACES);
      assertThat(extras)
          .allSatisfy(
              id -> assertThat(fx.activity(id).getString("status")).isEqualTo("in-progress"));
    } finally {
      // the blockers end whatever happened, so as not to hold the places from the tests after
      Files.createFile(go);
    }
    for (int i = 0; i < extras.size(); i++) {
      JsonObject done = fx.awaitFinal(extras.get(i));
      assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
      assertThat(done.getString("result_text")).contains("extra-" + i);
    }
    assertThat(blockers)
        .allSatisfy(id -> assertThat(fx.awaitFinal(id).getString("status")).isEqualTo("succeeded"));
  }

  /**
   * Verifies that a script canceled while it waits for a place ends at once as canceled, without
   * running and without waiting for a place, while the sixteen holding the places still run; and
   * that it took no place from the script after it.
   */
  @Test
  void aScriptCanceledWhileItWaitsForAPlaceEndsAtOnce() throws Exception {
    Path go = scratch.resolve("go");
    List<Long> blockers = blockers(go, 300);
    long waiter = fx.script(anyone, "touch " + scratch.resolve("waiter-ran"), 300);
    long after = fx.script(anyone, "echo after", 300);
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> started() >= PLACES);
      await()
          .atMost(AgentFixture.PATIENCE)
          .until(
              () ->
                  fx.activity(waiter).getString("status").equals("in-progress")
                      && fx.activity(after).getString("status").equals("in-progress"));

      fx.server.post(
          "/activities/cancel",
          new JsonObject().put("ids", new io.vertx.core.json.JsonArray().add(waiter)));

      JsonObject canceled =
          await()
              .atMost(AgentFixture.PATIENCE)
              .until(() -> fx.activity(waiter), a -> a.getString("result_text") != null);
      assertThat(canceled.getString("status")).isEqualTo("canceled");
      assertThat(canceled.getString("result_text"))
          .contains("canceled by the server")
          .contains("before it started");
      // it ended while the sixteen still held every place
      assertThat(blockers)
          .allSatisfy(
              id -> assertThat(fx.activity(id).getString("status")).isEqualTo("in-progress"));
      assertThat(fx.activity(after).getString("status")).isEqualTo("in-progress");
    } finally {
      Files.createFile(go);
    }
    JsonObject ran = fx.awaitFinal(after);
    assertThat(ran.getString("status")).as(ran.encode()).isEqualTo("succeeded");
    assertThat(ran.getString("result_text")).contains("after");
    assertThat(blockers)
        .allSatisfy(id -> assertThat(fx.awaitFinal(id).getString("status")).isEqualTo("succeeded"));
    assertThat(scratch.resolve("waiter-ran")).doesNotExist();
  }

  /**
   * Verifies that time limits hold with more scripts than places: the running ones are killed at
   * theirs, one whose limit passes while it waits fails without running, while they still run, and
   * one with time to spare runs once places free.
   */
  @Test
  void timeLimitsHoldForRunningAndWaitingScripts() {
    List<Long> blockers = new ArrayList<>();
    // the blockers' limit counts from when each reached the agent: it leaves the waiting scripts,
    // which may come exchanges later on a loaded machine, ample time to arrive while they run
    for (int i = 0; i < PLACES; i++) {
      blockers.add(fx.script(anyone, "sleep 1000", 20));
    }
    long impatient = fx.script(anyone, "echo impatient", 1);
    long patient = fx.script(anyone, "echo patient", 120);

    JsonObject expired = fx.awaitFinal(impatient);
    JsonObject ran = fx.awaitFinal(patient);

    assertThat(expired.getString("status")).isEqualTo("failed");
    assertThat(expired.getInteger("result_code")).isEqualTo(102);
    assertThat(expired.getString("result_text")).contains("waited").doesNotContain("impatient");
    assertThat(ran.getString("status")).as(ran.encode()).isEqualTo("succeeded");
    assertThat(ran.getString("result_text")).contains("patient");
    // it failed while they ran: its result came back no later than theirs (the same exchange
    // at the latest), whatever the machine's load made of the seconds in between
    Instant expiredAt = Instant.parse(expired.getString("completed_at"));
    assertThat(blockers)
        .allSatisfy(
            id -> {
              JsonObject blocker = fx.awaitFinal(id);
              assertThat(blocker.getInteger("result_code")).isEqualTo(102);
              assertThat(Instant.parse(blocker.getString("completed_at")))
                  .isAfterOrEqualTo(expiredAt);
            });
  }

  /**
   * Fills the places with scripts that each leave a {@code started-i} file in the scratch directory
   * and then wait until {@code go} exists; their ids.
   */
  private List<Long> blockers(Path go, int timeLimitSeconds) {
    List<Long> blockers = new ArrayList<>();
    for (int i = 0; i < PLACES; i++) {
      blockers.add(
          fx.script(
              anyone,
              "touch "
                  + scratch.resolve("started-" + i)
                  + "; while [ ! -e "
                  + go
                  + " ]; do sleep 0.2; done; echo blocker-"
                  + i,
              timeLimitSeconds));
    }
    return blockers;
  }

  private long started() throws IOException {
    try (Stream<Path> files = Files.list(scratch)) {
      return files.filter(f -> f.getFileName().toString().startsWith("started-")).count();
    }
  }
}
