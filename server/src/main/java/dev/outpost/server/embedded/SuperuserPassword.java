package dev.outpost.server.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL's superuser password: how a new data directory gets it, and how one made
 * before, which trusted every local connection, is moved to it.
 */
final class SuperuserPassword {

  private static final Logger LOG = LoggerFactory.getLogger(SuperuserPassword.class);
  private static final String SUPERUSER = "postgres";

  /** PostgreSQL's code for a refused password. */
  private static final String INVALID_PASSWORD = "28P01";

  private static final Duration RELOAD_WAIT = Duration.ofSeconds(10);

  /** Who may connect, and how, once the superuser has a password. */
  private static final String HBA =
      """
      # Outpost's embedded PostgreSQL: the superuser's password (OUTPOST_HOME/credentials) over
      # TCP on the loopback, where it listens; it makes no socket files.
      local all all               scram-sha-256
      host  all all 127.0.0.1/32  scram-sha-256
      host  all all ::1/128       scram-sha-256
      """;

  private SuperuserPassword() {}

  /** Whether the data directory lets some connection in without a password. */
  static boolean trusted(Path data) {
    Path hba = data.resolve("pg_hba.conf");
    if (!Files.exists(hba)) {
      return false;
    }
    try {
      return Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
          .map(line -> line.replaceFirst("#.*", "").strip())
          .filter(line -> !line.isEmpty())
          .map(line -> List.of(line.split("\\s+")))
          .anyMatch(fields -> fields.contains("trust"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + hba, e);
    }
  }

  /**
   * Writes the password where initdb reads it ({@code --pwfile}), readable by the owner only; the
   * caller deletes it once initdb ran.
   */
  static Path forInitdb(Path root, String password) {
    try {
      Path file =
          Files.createTempFile(
              root,
              "pgpass",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the password file for initdb", e);
    }
  }

  /**
   * Gives the superuser its password and lets nobody in without it from then on: the rules replaced
   * and reloaded, waiting until new connections are held to them.
   */
  static void require(DataSource postgres, Path data, String password) {
    try (Connection connection = postgres.getConnection();
        Statement statement = connection.createStatement()) {
      // the driver sends a SCRAM verifier, never the password, so no log can show it
      connection
          .unwrap(PGConnection.class)
          .alterUserPassword(SUPERUSER, password.toCharArray(), "scram-sha-256");
      Timestamp loaded = loadTime(statement);
      Files.writeString(data.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
      statement.execute("SELECT pg_reload_conf()");
      awaitReload(postgres, loaded);
      LOG.info("embedded postgresql now asks for a password [data: {}]", data);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not give embedded postgresql its password [data: " + data + "]", e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + data.resolve("pg_hba.conf"), e);
    }
  }

  /** Whether PostgreSQL refused a password somewhere in this failure. */
  static boolean refused(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && INVALID_PASSWORD.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The postmaster reloads on a signal, in its own time; a backend started after that carries the
   * new load time, so a new connection tells when the new rules hold.
   */
  private static void awaitReload(DataSource postgres, Timestamp before) throws SQLException {
    long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
    while (true) {
      try (Connection connection = postgres.getConnection();
          Statement statement = connection.createStatement()) {
        if (loadTime(statement).after(before)) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "embedded postgresql did not reload its rules in " + RELOAD_WAIT.toSeconds() + " s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for embedded postgresql", e);
      }
    }
  }

  private static Timestamp loadTime(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT pg_conf_load_time()")) {
      rows.next();
      return rows.getTimestamp(1);
    }
  }
}
