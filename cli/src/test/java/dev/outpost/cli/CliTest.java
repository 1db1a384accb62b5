package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each command of {@code outpost} against a whole server, a protocol client as the agent. */
@ExtendWith(VertxExtension.class)
class CliTest {

  private static final int SUCCEEDED = 6;
  private static final int FAILED = 5;

  private static ServerFixture fx;
  private static ProtocolClient agent;
  private static long computer;

  @TempDir static Path home;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    agent = ProtocolClient.registered(fx, "web-1");
    computer = agent.insecureId;
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /** What one run of the command printed, and its exit status. */
  record Run(int status, String out, String err) {
    JsonNode json() {
      try {
        return Api.JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("OUTPOST_URL", "http://127.0.0.1:" + fx.server.httpPort());
    env.put("OUTPOST_TOKEN", fx.token);
    env.put("OUTPOST_CLI_CONFIG", home.resolve("absent.conf").toString());
    return env;
  }

  private static Run outpost(String... args) {
    return outpost(env(), args);
  }

  private static Run outpost(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Outpost.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(status, out.toString(), err.toString());
  }

  private static Run ok(String... args) {
    Run run = outpost(args);
    assertThat(run.status()).as(run.out() + run.err()).isZero();
    return run;
  }

  /** Waits for the script the server hands the agent, and answers it. */
  private static long answer(int status, int code, String text) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      WireMap answer = agent.exchange(List.of());
      for (WireMap message : answer.mapList("messages")) {
        if (message.text("type").equals("execute-script")) {
          long operation = message.integer("operation-id");
          agent.exchange(List.of(ProtocolClient.result(operation, status, code, text)));
          return operation;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no script reached the agent");
  }

  /**
   * Verifies that run-script --wait follows the activity to its end, prints the computer's result
   * and exits 0 when the script succeeded.
   */
  @Test
  void runScriptWaitsAndExitsZeroWhenItSucceeds() throws Exception {
    CompletableFuture<Run> run =
        CompletableFuture.supplyAsync(
            () ->
                outpost(
                    "run-script",
                    "--code",
                    "echo hi",
                    "-c",
                    Long.toString(computer),
                    "--wait",
                    "--interval",
                    "50"));
    answer(SUCCEEDED, 0, "hi from web-1\n\u001b[31mred\u001b[0m");
    Run done = run.get(30, TimeUnit.SECONDS);

    assertThat(done.status()).as(done.out() + done.err()).isZero();
    assertThat(done.out()).contains("== web-1 (" + computer + "): succeeded (result code 0)");
    assertThat(done.out()).contains("  hi from web-1");
    // an agent's text cannot drive the terminal
    assertThat(done.out()).doesNotContain("\u001b").contains("?[31mred");
  }

  /**
   * Verifies that run-script --wait exits 3 when a script failed, 4 when canceled, 5 on timeout.
   */
  @Test
  void runScriptExitStatusMirrorsTheOutcome() throws Exception {
    CompletableFuture<Run> failing =
        CompletableFuture.supplyAsync(
            () ->
                outpost(
                    "run-script",
                    "--code",
                    "exit 2",
                    "-q",
                    "title:web-1",
                    "--wait",
                    "--interval",
                    "50"));
    answer(FAILED, 2, "boom");
    Run failed = failing.get(30, TimeUnit.SECONDS);
    assertThat(failed.status()).as(failed.out() + failed.err()).isEqualTo(Outpost.FAILED);
    assertThat(failed.out()).contains("failed (result code 2)").contains("  boom");

    Run timedOut =
        outpost(
            "run-script",
            "--code",
            "sleep 9",
            "-c",
            Long.toString(computer),
            "--requires-approval",
            "--wait",
            "--timeout",
            "1",
            "--interval",
            "50");
    assertThat(timedOut.status()).as(timedOut.err()).isEqualTo(Outpost.TIMED_OUT);
    assertThat(timedOut.err()).contains("still runs after 1 s");
    ok("activities", "cancel", "-q", "status:blocked");

    CompletableFuture<Run> waiting =
        CompletableFuture.supplyAsync(
            () ->
                outpost(
                    "run-script",
                    "--code",
                    "true",
                    "-c",
                    Long.toString(computer),
                    "--requires-approval",
                    "--wait",
                    "--interval",
                    "50"));
    TestSupport.eventually(
        10,
        () -> !outpost("activities", "cancel", "-q", "status:blocked").out().contains("cancel: 0"));
    Run canceled = waiting.get(30, TimeUnit.SECONDS);
    assertThat(canceled.status()).as(canceled.out() + canceled.err()).isEqualTo(Outpost.CANCELED);
    assertThat(canceled.out()).contains("canceled");
  }

  /**
   * Verifies activities create, list, show, events, hold, approve, cancel and reapply, as tables
   * and as JSON.
   */
  @Test
  void activitiesFromCreationToReapply() {
    JsonNode created =
        ok(
                "activities",
                "create",
                "-t",
                "ExecuteScriptRequest",
                "-c",
                Long.toString(computer),
                "-p",
                "code=echo one",
                "--summary",
                "first",
                "--requires-approval",
                "--json")
            .json();
    String id = created.get("id").asText();
    assertThat(created.get("status").asText()).isEqualTo("blocked");
    assertThat(created.at("/parameters/code").asText()).isEqualTo("echo one");

    Run list = ok("activities", "list", "-q", "status:blocked id:" + id);
    assertThat(list.out()).contains("ID").contains(id).contains("blocked").contains("1 of 1 shown");
    assertThat(ok("activities", "list", "--json", "--limit", "1").json().get("results").size())
        .isEqualTo(1);
    assertThat(ok("activities", "show", id).out()).contains("status").contains("blocked");

    assertThat(ok("activities", "approve", id).out()).contains("approve: 1 (" + id + ")");
    assertThat(ok("activities", "hold", id).out()).contains("hold: 1 (" + id + ")");
    assertThat(ok("activities", "hold", id).out()).contains("refused: " + id);
    assertThat(ok("activities", "cancel", id, "--json").json().get("applied").get(0).asText())
        .isEqualTo(id);
    assertThat(ok("activities", "events", id).out())
        .contains("AT")
        .contains("queued")
        .contains("blocked")
        .contains("canceled");

    Run reapplied = ok("activities", "reapply", id);
    assertThat(reapplied.out()).contains("REAPPLIED FROM").contains(id);
    ok("activities", "cancel", "-q", "status:queued OR status:in-progress");
  }

  /** Verifies computers list, show and tag, by ids and by query. */
  @Test
  void computersListedShownAndTagged() {
    assertThat(ok("computers", "list").out()).contains("web-1").contains("TITLE");
    String id = Long.toString(computer);
    assertThat(ok("computers", "tag", id, "--add", "web,eu").out())
        .contains("selected 1, changed 1");
    assertThat(ok("computers", "tag", "-q", "tag:eu", "--remove", "eu").out())
        .contains("selected 1, changed 1");
    JsonNode page = ok("computers", "list", "-q", "tag:web", "--json").json();
    assertThat(Call.list(page.get("results").get(0).get("tags")))
        .contains("web")
        .doesNotContain("eu");
    assertThat(ok("computers", "show", id).out()).contains("title").contains("web-1");
  }

  /** Verifies scripts create, list, show, edit, versions and archive, and run-script --script. */
  @Test
  void scriptsSavedEditedRunAndArchived() throws IOException {
    Path file = home.resolve("disk.sh");
    Files.writeString(file, "#!/bin/bash\ndf -h\n");
    JsonNode script =
        ok("scripts", "create", "--title", "disk report", "-f", file.toString(), "--json").json();
    String id = script.get("id").asText();
    assertThat(script.get("interpreter").asText()).isEqualTo("/bin/bash");

    assertThat(ok("scripts", "list").out()).contains("disk report");
    assertThat(ok("scripts", "show", id).out()).contains("    df -h");
    assertThat(ok("scripts", "edit", id, "--code", "#!/bin/bash\ndf -h /").out())
        .contains("version")
        .contains("2");
    assertThat(ok("scripts", "versions", id).out()).contains("VERSION").contains("df -h /");

    Run run = ok("run-script", "-s", id, "-c", Long.toString(computer), "--requires-approval");
    assertThat(run.out()).contains("blocked");
    ok("activities", "cancel", "-q", "status:blocked");

    assertThat(ok("scripts", "archive", id).out()).contains("archived script " + id);
    assertThat(ok("scripts", "list", "--archived").out()).contains("disk report");
  }

  /** Verifies profiles create, list, show, activities and archive. */
  @Test
  void profilesCreatedListedAndArchived() {
    String script =
        ok("scripts", "create", "--title", "nightly", "--code", "true", "--json")
            .json()
            .get("id")
            .asText();
    JsonNode profile =
        ok(
                "profiles",
                "create",
                "--title",
                "nightly disks",
                "-s",
                script,
                "--cron",
                "0 3 * * *",
                "--timezone",
                "Europe/Paris",
                "--tag",
                "web",
                "--json")
            .json();
    String id = profile.get("id").asText();

    assertThat(ok("profiles", "list").out())
        .contains("nightly disks")
        .contains("cron '0 3 * * *' Europe/Paris")
        .contains("tags web");
    assertThat(ok("profiles", "show", id).out()).contains("script_id");
    assertThat(ok("profiles", "activities", id).out()).contains("0 shown");
    assertThat(ok("profiles", "archive", id).out()).contains("archived profile " + id);
  }

  /**
   * Verifies that a refused request exits 1 with the server's words, a wrong command line 2, and
   * that URL and token come from the config file when neither flag nor environment gives them.
   */
  @Test
  void errorsAndSettings() throws IOException {
    Run bad = outpost("activities", "list", "-q", "status:bogus");
    assertThat(bad.status()).isEqualTo(Outpost.REFUSED);
    assertThat(bad.err()).contains("bogus").contains("(400)");

    Run wrong = outpost("activities", "show");
    assertThat(wrong.status()).isEqualTo(Outpost.USAGE);

    Map<String, String> bare = new HashMap<>();
    bare.put("OUTPOST_CLI_CONFIG", home.resolve("absent.conf").toString());
    Run noToken = outpost(bare, "computers", "list");
    assertThat(noToken.status()).isEqualTo(Outpost.REFUSED);
    assertThat(noToken.err()).contains("no token");

    Path config = home.resolve("cli.conf");
    Files.writeString(
        config, "url=http://127.0.0.1:" + fx.server.httpPort() + "\ntoken=" + fx.token + "\n");
    Run fromFile = outpost(Map.of(), "computers", "list", "--config", config.toString());
    assertThat(fromFile.status()).as(fromFile.err()).isZero();
    assertThat(fromFile.out()).contains("web-1");

    Run badToken = outpost("computers", "list", "--token", "nope");
    assertThat(badToken.status()).isEqualTo(Outpost.REFUSED);
    assertThat(badToken.err()).contains("(401)");
  }

  /** Verifies that the shell completion script is generated for every command. */
  @Test
  void generatesShellCompletion() {
    Run completion = ok("generate-completion");
    assertThat(completion.out())
        .contains("complete -F")
        .contains("run-script")
        .contains("activities");
    assertThat(ok("--help").out()).contains("Exit status").contains("run-script");
  }
}
