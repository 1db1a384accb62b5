package dev.outpost.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.Main;
import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Durations;
import dev.outpost.agent.config.ScriptUsers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where the agent's configuration comes from: flags, then environment, then file, then defaults.
 */
class ConfigTest {

  @TempDir Path dir;

  /**
   * Verifies that a flag wins over the environment, which wins over the file (a Landscape
   * client.conf, with its own key names), which wins over the built-in defaults.
   */
  @Test
  void flagsWinOverEnvironmentOverFileOverDefaults() throws Exception {
    Path file = dir.resolve("client.conf");
    Files.writeString(
        file,
        """
        [client]
        url = https://landscape.example/message-system
        account_name = from-file
        computer_title = web-7
        data_path = /srv/agent
        exchange_interval = 120
        ping_interval = 10
        log_dir = /var/log/landscape
        """);
    Map<String, String> env =
        Map.of(
            "OUTPOST_AGENT_ACCOUNT_NAME", "from-env",
            "OUTPOST_AGENT_PING_INTERVAL", "15",
            "OUTPOST_AGENT_ENABLE_SHUTDOWN", "true");

    AgentConfig config = run(env, "run", "--config", file.toString(), "--ping-interval", "100ms");

    assertThat(config.urls().exchange()).isEqualTo("https://landscape.example/message-system");
    assertThat(config.urls().ping()).isEqualTo("https://landscape.example/ping");
    assertThat(config.accountName()).isEqualTo("from-env");
    assertThat(config.computerTitle()).isEqualTo("web-7");
    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/agent"));
    assertThat(config.intervals().exchange()).isEqualTo(Duration.ofSeconds(120));
    assertThat(config.intervals().ping()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.intervals().urgent()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.backoffMin()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.enableShutdown()).isTrue();
    assertThat(config.enableUserManagement()).isFalse();
  }

  /** Verifies that the defaults are Landscape's when nothing is configured. */
  @Test
  void defaultsAreLandscapes() {
    AgentConfig config = run(Map.of(), "run");

    assertThat(config.intervals().exchange()).isEqualTo(Duration.ofSeconds(900));
    assertThat(config.intervals().urgent()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.intervals().ping()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.backoffMax()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(config.accountName()).isEqualTo("standalone");
    assertThat(config.registrationKey()).isEmpty();
  }

  /** Verifies that durations read as seconds or with a unit, and that a bad one is refused. */
  @Test
  void readsDurations() {
    assertThat(Durations.parse("900")).isEqualTo(Duration.ofSeconds(900));
    assertThat(Durations.parse("100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));

    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(Map.of(), new String[0]).setErr(new PrintWriter(err));
    assertThat(cli.execute("run", "--exchange-interval", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
  }

  /**
   * Verifies that the users scripts may run as are read as the Landscape Client reads its
   * script_users (the same key in client.conf): nobody alone when unset or empty, a comma-separated
   * list, or ALL; and that an entry that is no user name is refused.
   */
  @Test
  void readsScriptUsersAsTheLandscapeClientDoes() throws Exception {
    Path file = dir.resolve("client.conf");
    Files.writeString(
        file,
        """
        [client]
        script_users = root, nobody,
        """);

    ScriptUsers unset = run(Map.of(), "run").scriptUsers();
    ScriptUsers fromFile = run(Map.of(), "run", "--config", file.toString()).scriptUsers();
    ScriptUsers all = run(Map.of("OUTPOST_AGENT_SCRIPT_USERS", "ALL"), "run").scriptUsers();
    ScriptUsers empty = run(Map.of(), "run", "--script-users", "").scriptUsers();

    assertThat(unset.allows("nobody")).isTrue();
    assertThat(unset.allows("root")).isFalse();
    assertThat(fromFile.names()).containsExactly("root", "nobody");
    assertThat(fromFile.allows("daemon")).isFalse();
    assertThat(all.allows("daemon")).isTrue();
    assertThat(all.allows("root")).isTrue();
    assertThat(empty).isEqualTo(ScriptUsers.DEFAULT);

    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(Map.of(), new String[0]).setErr(new PrintWriter(err));
    assertThat(cli.execute("run", "--script-users", "root;reboot")).isEqualTo(2);
    assertThat(err.toString()).contains("'root;reboot' is not a user name");
  }

  /**
   * Verifies that the Landscape Client's ssl_public_key names the CA, as --ssl-ca does, and that
   * plain HTTP beyond loopback is refused unless allowed. GIVEN a client.conf with ssl_public_key,
   * WHEN the agent reads it, THEN its trust names that file and allows no insecure HTTP; WHEN the
   * environment sets OUTPOST_AGENT_ALLOW_INSECURE_HTTP, THEN it allows it.
   */
  @Test
  void sslPublicKeyIsTheCa() throws Exception {
    Path file = dir.resolve("client.conf");
    Files.writeString(
        file,
        """
        [client]
        url = https://landscape.example/message-system
        ssl_public_key = /etc/landscape/server.pem
        """);

    AgentConfig config = run(Map.of(), "run", "--config", file.toString());
    AgentConfig allowing =
        run(
            Map.of("OUTPOST_AGENT_ALLOW_INSECURE_HTTP", "true"),
            "run",
            "--config",
            file.toString());

    assertThat(config.trust().ca()).contains("/etc/landscape/server.pem");
    assertThat(config.trust().allowInsecureHttp()).isFalse();
    assertThat(config.trust().describe()).contains("/etc/landscape/server.pem");
    assertThat(allowing.trust().allowInsecureHttp()).isTrue();
    assertThat(run(Map.of(), "run", "--ssl-ca", "/x/ca.pem").trust().ca()).contains("/x/ca.pem");
  }

  private static AgentConfig run(Map<String, String> env, String... args) {
    CommandLine cli = Main.commandLine(env, args);
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    RunCommand command = (RunCommand) parsed.subcommand().commandSpec().userObject();
    return command.config();
  }
}
