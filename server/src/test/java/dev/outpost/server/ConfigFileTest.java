package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

  @TempDir Path dir;

  /**
   * Verifies that the file's settings are read as the environment's would be, and that a variable
   * set in the environment wins. GIVEN a file setting the port, the pool and the role, WHEN the
   * environment sets the port too, THEN the port is the environment's and the rest the file's.
   */
  @Test
  void theFileSetsWhatTheEnvironmentLeaves() throws Exception {
    Path file =
        write(
            """
            # the server's settings
            OUTPOST_HTTP_PORT=9000
              OUTPOST_DB_POOL_SIZE = 4
            OUTPOST_ROLE="job-handler"
            OUTPOST_PUBLIC_URL='https://outpost.example.com'

            OUTPOST_LOG_FORMAT=json
            """);

    Map<String, String> settings =
        ConfigFile.settings(
            Map.of("OUTPOST_CONFIG", file.toString(), "OUTPOST_HTTP_PORT", "9100"),
            dir.resolve("absent"));
    ServerConfig config = ServerConfig.fromEnv(settings);

    assertThat(config.httpPort()).isEqualTo(9100);
    assertThat(config.dbPoolSize()).isEqualTo(4);
    assertThat(config.role()).isEqualTo(ServerConfig.Role.JOB_HANDLER);
    assertThat(config.publicUrl()).contains("https://outpost.example.com");
    assertThat(settings).containsEntry("OUTPOST_LOG_FORMAT", "json");
  }

  /** Verifies that the default file is read when present and OUTPOST_CONFIG is not set. */
  @Test
  void theDefaultFileIsReadWhenPresent() throws Exception {
    Path file = write("OUTPOST_DB_POOL_SIZE=3\n");

    assertThat(ServerConfig.fromEnv(ConfigFile.settings(Map.of(), file)).dbPoolSize()).isEqualTo(3);
    assertThat(ConfigFile.settings(Map.of("OUTPOST_ROLE", "api"), dir.resolve("absent")))
        .isEqualTo(Map.of("OUTPOST_ROLE", "api"));
  }

  /**
   * Verifies that what is not a setting of the server is refused by name and line: an unknown name,
   * a misspelt one, a line that is no setting, a name set twice, a file that is not there.
   */
  @Test
  void unknownOrMalformedSettingsAreRefusedByName() throws Exception {
    Path misspelt = write("OUTPOST_HTTP_PORT=8080\nOUTPOST_HTTP_PROT=8081\n");
    assertThatThrownBy(() -> ConfigFile.read(misspelt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            misspelt
                + " line 2: OUTPOST_HTTP_PROT is not a setting of the server (README.md's table"
                + " lists them)");
    Path malformed = write("# ports\nport 8080\n");
    assertThatThrownBy(() -> ConfigFile.read(malformed))
        .hasMessage(malformed + " line 2: expected NAME=value");
    Path twice = write("OUTPOST_ROLE=api\nOUTPOST_ROLE=all\n");
    assertThatThrownBy(() -> ConfigFile.read(twice))
        .hasMessage(twice + " line 2: OUTPOST_ROLE is set twice");
    assertThatThrownBy(
            () -> ConfigFile.settings(Map.of("OUTPOST_CONFIG", "/nonexistent/server.conf")))
        .hasMessage("OUTPOST_CONFIG names no file: '/nonexistent/server.conf'");
    // the values are checked as the environment's are
    Path bad = write("OUTPOST_DB_POOL_SIZE=many\n");
    assertThatThrownBy(() -> ServerConfig.fromEnv(ConfigFile.settings(Map.of(), bad)))
        .hasMessage("OUTPOST_DB_POOL_SIZE must be a whole number, not 'many'");
  }

  /** Verifies that every setting ServerConfig reads, and the logging ones, may be in the file. */
  @Test
  void theKnownNamesAreThoseTheServerReads() {
    assertThat(ConfigFile.knownKeys())
        .contains(
            "OUTPOST_HTTP_PORT",
            "OUTPOST_DB_URL",
            "OUTPOST_OUTBOUND_ALLOW_PRIVATE",
            "OUTPOST_WEBHOOK_DELIVERY_RETENTION_SECONDS",
            "OUTPOST_LOG_LEVEL",
            "OUTPOST_LOG_FORMAT")
        .doesNotContain("OUTPOST_CONFIG", "OUTPOST_JAVA_OPTS");
  }

  /** Verifies that the logging settings are checked, as logback would take a typo for DEBUG. */
  @Test
  void loggingSettingsAreRefusedByName() {
    assertThatThrownBy(() -> LogSettings.apply(Map.of("OUTPOST_LOG_LEVEL", "verbose")))
        .hasMessage(
            "OUTPOST_LOG_LEVEL must be TRACE, DEBUG, INFO, WARN, ERROR or OFF, not 'verbose'");
    assertThatThrownBy(() -> LogSettings.apply(Map.of("OUTPOST_LOG_FORMAT", "xml")))
        .hasMessage("OUTPOST_LOG_FORMAT must be text or json, not 'xml'");
  }

  private Path write(String text) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "server", ".conf"), text);
  }
}
