package dev.outpost.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.account.Secrets;
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

  private static final String PASSWORD = Secrets.generate();

  @TempDir Path home;

  /**
   * Verifies that a second start on the same home finds what the first one wrote. GIVEN a started
   * database holding a row, WHEN it is closed and started again on the same home, THEN the row is
   * still there.
   */
  @Test
  void keepsDataBetweenRuns() throws SQLException {
    try (EmbeddedDatabase first = EmbeddedDatabase.start(home, PASSWORD)) {
      assertThat(first.url())
          .isEqualTo(
              "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + first.port() + "/outpost");
      assertThat(first.dataDirectory()).isEqualTo(home.resolve("pgdata").toAbsolutePath());
      execute(first, "CREATE TABLE note (body text NOT NULL)", "INSERT INTO note VALUES ('kept')");
    }

    try (EmbeddedDatabase second = EmbeddedDatabase.start(home, PASSWORD)) {
      assertThat(query(second, "SELECT body FROM note")).containsExactly("kept");
    }
  }

  /**
   * Verifies that the database asks for its password. GIVEN a new home, WHEN the database starts,
   * THEN a connection without the password or with another is refused, and its rules trust no
   * connection.
   */
  @Test
  void refusesAConnectionWithoutThePassword() throws SQLException {
    try (EmbeddedDatabase database = EmbeddedDatabase.start(home, PASSWORD)) {
      assertThatThrownBy(() -> connect(database, "")).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> connect(database, "wrong"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
      assertThat(query(database, "SELECT 'in'")).containsExactly("in");
    }
    assertThat(SuperuserPassword.trusted(home.resolve("pgdata"))).isFalse();
  }

  /**
   * Verifies that a home made before passwords, which trusted every local connection, is moved to a
   * password on its next start and keeps its data. GIVEN a data directory whose rules trust every
   * connection and whose superuser has no password, holding a row, WHEN the database starts with a
   * password, THEN a connection without it is refused, the row is still there, and the start after
   * that needs nothing more.
   */
  @Test
  void upgradesAHomeThatTrustedEveryConnection() throws Exception {
    try (EmbeddedDatabase made = EmbeddedDatabase.start(home, PASSWORD)) {
      execute(
          made,
          "CREATE TABLE note (body text NOT NULL)",
          "INSERT INTO note VALUES ('kept')",
          "ALTER ROLE postgres PASSWORD NULL");
    }
    // what initdb -A trust wrote for homes before passwords
    Files.writeString(
        home.resolve("pgdata/pg_hba.conf"),
        """
        local   all             all                                     trust
        host    all             all             127.0.0.1/32            trust
        host    all             all             ::1/128                 trust
        """);
    String generated = Secrets.generate();

    try (EmbeddedDatabase upgraded = EmbeddedDatabase.start(home, generated)) {
      assertThatThrownBy(() -> connect(upgraded, "")).isInstanceOf(SQLException.class);
      try (Connection connection = connect(upgraded, generated);
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT body FROM note")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo("kept");
      }
    }
    try (EmbeddedDatabase again = EmbeddedDatabase.start(home, generated)) {
      assertThatThrownBy(() -> connect(again, "")).isInstanceOf(SQLException.class);
    }
  }

  /**
   * Verifies that a postmaster.pid naming a live process other than PostgreSQL does not stop a
   * start. GIVEN a data directory whose postmaster.pid names a running {@code sleep} (a reused
   * process id), WHEN the database starts, THEN it answers queries.
   */
  @Test
  void startsDespiteStalePidFile() throws Exception {
    EmbeddedDatabase.start(home, PASSWORD).close();
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(
          home.resolve("pgdata/postmaster.pid"), sleeper.pid() + "\n", StandardCharsets.UTF_8);

      try (EmbeddedDatabase database = EmbeddedDatabase.start(home, PASSWORD)) {
        assertThat(query(database, "SELECT 'up'")).containsExactly("up");
      }
    } finally {
      sleeper.destroyForcibly();
    }
  }

  /**
   * Verifies that a postmaster left running by a server that died is stopped, and its data kept.
   * GIVEN a running database holding a row, WHEN the leftover clean-up meets its postmaster, THEN
   * that process ends, and a new start finds the row.
   */
  @Test
  void stopsPostmasterLeftRunning() throws Exception {
    EmbeddedDatabase crashed = EmbeddedDatabase.start(home, PASSWORD);
    execute(crashed, "CREATE TABLE note (body text NOT NULL)", "INSERT INTO note VALUES ('kept')");
    long pid = postmasterPid(crashed.dataDirectory());

    LeftoverPostmaster.clear(crashed.dataDirectory());

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    crashed.close();
    try (EmbeddedDatabase restarted = EmbeddedDatabase.start(home, PASSWORD)) {
      assertThat(query(restarted, "SELECT body FROM note")).containsExactly("kept");
    }
  }

  private static long postmasterPid(Path data) throws IOException {
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
  }

  private static Connection connect(EmbeddedDatabase database) throws SQLException {
    return connect(database, PASSWORD);
  }

  private static Connection connect(EmbeddedDatabase database, String password)
      throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + database.port() + "/" + EmbeddedDatabase.DATABASE,
        "postgres",
        password);
  }

  private static void execute(EmbeddedDatabase database, String... statements) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
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
