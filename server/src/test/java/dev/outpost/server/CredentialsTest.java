package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

  @TempDir Path home;

  /**
   * Verifies that a credentials file written before the embedded services had passwords gains them
   * and keeps what it held. GIVEN a file with only the registration key and the admin token, WHEN
   * the credentials are resolved twice, THEN the key and token are the file's, the two passwords
   * are generated once and kept in the file (mode 0600), and both resolutions agree.
   */
  @Test
  void anOldFileGainsTheEmbeddedPasswords() throws Exception {
    Path file = home.resolve("credentials");
    Files.writeString(file, "OUTPOST_REGISTRATION_KEY=old-key\nOUTPOST_ADMIN_TOKEN=old-token\n");
    ServerConfig config = ServerConfig.fromEnv(Map.of("OUTPOST_HOME", home.toString()));

    Credentials first = Credentials.resolve(config);
    Credentials second = Credentials.resolve(config);

    assertThat(first.registrationKey()).isEqualTo("old-key");
    assertThat(first.adminToken()).isEqualTo("old-token");
    assertThat(first.databasePassword())
        .hasSizeGreaterThan(40)
        .isNotEqualTo(first.brokerPassword());
    assertThat(second).isEqualTo(first);
    Properties kept = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      kept.load(reader);
    }
    assertThat(kept)
        .containsEntry("EMBEDDED_DATABASE_PASSWORD", first.databasePassword())
        .containsEntry("EMBEDDED_BROKER_PASSWORD", first.brokerPassword())
        .containsEntry("OUTPOST_ADMIN_TOKEN", "old-token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(first.toString()).doesNotContain(first.databasePassword());
  }
}
