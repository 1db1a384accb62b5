package dev.outpost.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.TestSupport;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The migration that stops keeping secrets, run over a database written before it. */
class WithholdSecretsMigrationTest {

  /**
   * Verifies that upgrading withholds the secrets that were kept in clear. GIVEN a database at the
   * schema before (V11), holding a delivered user creation, an undelivered one, a group and an
   * archived Ubuntu Pro attachment, each with its secret, WHEN it is migrated, THEN only the
   * undelivered activity still holds its secret; the others keep it as null.
   */
  @Test
  void upgradingWithholdsTheSecretsKeptBefore() throws SQLException {
    PgConnectOptions options =
        TestSupport.database().setDatabase(TestSupport.unique("upgrade").replace('-', '_'));
    String server = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/";
    execute(server + "postgres", options, "CREATE DATABASE " + options.getDatabase());
    try {
      Flyway.configure()
          .dataSource(server + options.getDatabase(), options.getUser(), options.getPassword())
          .locations("classpath:db/migration")
          .target("11")
          .load()
          .migrate();
      execute(
          server + options.getDatabase(),
          options,
          """
          INSERT INTO accounts (id, name, registration_key_hash, created_at)
          VALUES (1, 'old', '\\x00', now());
          INSERT INTO activities (id, account_id, parent_id, kind, type, status, summary,
                                  parameters, creator, created_at, delivered_at)
          VALUES (1, 1, NULL, 'client', 'ActivityGroup', NULL, 'Create user',
                  '{"username": "ann", "password": "group-secret"}', 'admin', now(), NULL),
                 (2, 1, 1, 'client', 'CreateUserRequest', 'failed', 'Create user',
                  '{"username": "ann", "password": "delivered-secret"}', 'admin', now(), now()),
                 (3, 1, 1, 'client', 'CreateUserRequest', 'queued', 'Create user',
                  '{"username": "ann", "password": "queued-secret"}', 'admin', now(), NULL);
          INSERT INTO activities_archive (id, account_id, kind, type, status, summary, parameters,
                                          creator, created_at, delivered_at)
          VALUES (4, 1, 'client', 'AttachProRequest', 'succeeded', 'Attach pro',
                  '{"token": "archived-secret"}', 'admin', now(), now());
          """);

      Database.migrate(options);

      Map<Long, String> kept =
          query(
              server + options.getDatabase(),
              options,
              """
          SELECT id, parameters::text FROM activities
          UNION ALL SELECT id, parameters::text FROM activities_archive ORDER BY 1
          """);
      assertThat(kept)
          .containsExactly(
              Map.entry(1L, "{\"password\": null, \"username\": \"ann\"}"),
              Map.entry(2L, "{\"password\": null, \"username\": \"ann\"}"),
              Map.entry(3L, "{\"password\": \"queued-secret\", \"username\": \"ann\"}"),
              Map.entry(4L, "{\"token\": null}"));
    } finally {
      execute(server + "postgres", options, "DROP DATABASE " + options.getDatabase());
    }
  }

  private static void execute(String url, PgConnectOptions options, String sql)
      throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(url, options.getUser(), options.getPassword());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Map<Long, String> query(String url, PgConnectOptions options, String sql)
      throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(url, options.getUser(), options.getPassword());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      Map<Long, String> values = new LinkedHashMap<>();
      while (rows.next()) {
        values.put(rows.getLong(1), rows.getString(2));
      }
      return values;
    }
  }
}
