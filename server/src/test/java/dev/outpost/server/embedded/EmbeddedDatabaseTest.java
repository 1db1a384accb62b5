package dev.outpost.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

  @TempDir
  Path home;

  /**
   * Verifies that a second start on the same home finds what the first one wrote.
   * GIVEN a started database holding a row, WHEN it is closed and started again on the same home,
   * THEN the row is still there.
   */
  @Test
  void keepsDataBetweenRuns() throws SQLException {
    try (EmbeddedDatabase first = EmbeddedDatabase.start(home)) {
      assertThat(first.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + first.port() + "/outpost");
      assertThat(first.dataDirectory()).isEqualTo(home.resolve("pgdata").toAbsolutePath());
      execute(first, "CREATE TABLE note (body text NOT NULL)", "INSERT INTO note VALUES ('kept')");
    }

    try (EmbeddedDatabase second = EmbeddedDatabase.start(home)) {
      assertThat(query(second, "SELECT body FROM note")).containsExactly("kept");
    }
  }

  /**
   * Verifies that a postmaster.pid naming a live process other than PostgreSQL does not stop a start.
   * GIVEN a data directory whose postmaster.pid names a running {@code sleep} (a reused process id),
   * WHEN the database starts, THEN it answers queries.
   */
  @Test
  void startsDespiteStalePidFile() throws Exception {
    EmbeddedDatabase.start(home).close();
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(home.resolve("pgdata/postmaster.pid"), sleeper.pid() + "\n", StandardCharsets.UTF_8);

      try (EmbeddedDatabase database = EmbeddedDatabase.start(home)) {
        assertThat(query(database, "SELECT 'up'")).containsExactly("up");
      }
    } finally {
      sleeper.destroyForcibly();
    }
  }

  /**
   * Verifies that a postmaster left running by a server that died is stopped, and its data kept.
   * GIVEN a running database holding a row, WHEN the leftover clean-up meets its postmaster,
   * THEN that process ends, and a new start finds the row.
   */
  @Test
  void stopsPostmasterLeftRunning() throws Exception {
    EmbeddedDatabase crashed = EmbeddedDatabase.start(home);
    execute(crashed, "CREATE TABLE note (body text NOT NULL)", "INSERT INTO note VALUES ('kept')");
    long pid = postmasterPid(crashed.dataDirectory());

    LeftoverPostmaster.clear(crashed.dataDirectory());

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    crashed.close();
    try (EmbeddedDatabase restarted = EmbeddedDatabase.start(home)) {
      assertThat(query(restarted, "SELECT body FROM note")).containsExactly("kept");
    }
  }

  private static long postmasterPid(Path data) throws IOException {
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
  }

  private static Connection connect(EmbeddedDatabase database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + database.port() + "/" + EmbeddedDatabase.DATABASE, "postgres", "");
  }

  private static void execute(EmbeddedDatabase database, String... statements) throws SQLException {
    try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static List<String> query(EmbeddedDatabase database, String sql) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }
}
