package dev.outpost.server;

import dev.outpost.server.account.Secrets;
import dev.outpost.server.embedded.EmbeddedBroker;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The bootstrap account's registration key and admin token, as the operator sees them, and the
 * passwords of the embedded PostgreSQL's superuser and of the embedded broker's user.
 *
 * <p>An environment value wins; otherwise the value generated on first start is reused from {@code
 * <home>/credentials} (mode 0600), so every start prints working values while the database keeps
 * only hashes. A file written before a value existed gains it on the next start.
 */
public record Credentials(
    String registrationKey, String adminToken, String databasePassword, String brokerPassword) {

  private static final String KEY = "OUTPOST_REGISTRATION_KEY";
  private static final String TOKEN = "OUTPOST_ADMIN_TOKEN";
  private static final String DATABASE_PASSWORD = "EMBEDDED_DATABASE_PASSWORD";
  private static final String BROKER_PASSWORD = "EMBEDDED_BROKER_PASSWORD";

  /** Resolves every value for this configuration, writing the file when it generated one. */
  public static Credentials resolve(ServerConfig config) {
    Path file = config.home().resolve("credentials");
    Properties kept = read(file);
    Credentials credentials =
        new Credentials(
            config.registrationKey().orElseGet(() -> kept.getProperty(KEY, Secrets.generate())),
            config.adminToken().orElseGet(() -> kept.getProperty(TOKEN, Secrets.generate())),
            kept.getProperty(DATABASE_PASSWORD, Secrets.generate()),
            kept.getProperty(BROKER_PASSWORD, Secrets.generate()));
    if (!credentials.properties().equals(kept)) {
      write(file, credentials);
    }
    return credentials;
  }

  private Properties properties() {
    Properties properties = new Properties();
    properties.setProperty(KEY, registrationKey);
    properties.setProperty(TOKEN, adminToken);
    properties.setProperty(DATABASE_PASSWORD, databasePassword);
    properties.setProperty(BROKER_PASSWORD, brokerPassword);
    return properties;
  }

  private static Properties read(Path file) {
    Properties properties = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return properties;
  }

  private static void write(Path file, Credentials credentials) {
    try {
      Files.createDirectories(file.getParent());
      Path temp =
          Files.createTempFile(
              file.getParent(),
              "credentials",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (Writer writer = Files.newBufferedWriter(temp)) {
        credentials
            .properties()
            .store(
                writer,
                "bootstrap credentials of the '"
                    + ServerConfig.BOOTSTRAP_ACCOUNT
                    + "' account; passwords of the embedded PostgreSQL"
                    + " (user postgres) and the embedded broker (user "
                    + EmbeddedBroker.USERNAME
                    + ")");
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Never print secrets by accident. */
  @Override
  public String toString() {
    return "Credentials[***]";
  }
}
