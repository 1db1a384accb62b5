package dev.outpost.bench.support;

import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A database of its own for one benchmark, created on the PostgreSQL server and dropped when
 * closed, with a connection to the server's {@code postgres} database kept open to look up the
 * benchmark's backends.
 */
public final class BenchDatabase implements AutoCloseable {

  private final PgConnectOptions server;
  private final String name;
  private final Connection admin;

  private BenchDatabase(PgConnectOptions server, String name) throws SQLException {
    this.server = server;
    this.name = name;
    this.admin =
        DriverManager.getConnection(jdbcUrl("postgres"), server.getUser(), server.getPassword());
    try (Statement st = admin.createStatement()) {
      st.execute("CREATE DATABASE \"" + name + "\"");
    }
    Cleanup.opened(this);
  }

  /** Creates {@code outpost_bench_<label>_<time>_<pid>} on the server at {@code pgUrl}. */
  public static BenchDatabase create(String pgUrl, String label) throws SQLException {
    PgConnectOptions server = PgConnectOptions.fromUri(pgUrl.replaceAll("/+$", "") + "/postgres");
    String name =
        "outpost_bench_"
            + label
            + "_"
            + System.currentTimeMillis() / 1000
            + "_"
            + ProcessHandle.current().pid();
    return new BenchDatabase(server, name);
  }

  /** The database's name. */
  public String name() {
    return name;
  }

  /** A {@code postgresql://} URL of the database, as the server takes it. */
  public String url() {
    String credentials =
        server.getUser()
            + (server.getPassword() == null || server.getPassword().isEmpty()
                ? ""
                : ":" + server.getPassword());
    return "postgresql://"
        + credentials
        + "@"
        + server.getHost()
        + ":"
        + server.getPort()
        + "/"
        + name;
  }

  /** A new JDBC connection to the database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(name), server.getUser(), server.getPassword());
  }

  /** Runs statements one after the other on a fresh connection. */
  public void execute(String... statements) throws SQLException {
    try (Connection conn = connect();
        Statement st = conn.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  /**
   * Does between runs what autovacuum does in the background: this machine's PostgreSQL runs with
   * autovacuum off, and a fleet registered at once, or a run's worth of new and updated activities,
   * otherwise leaves the planner with the statistics of an empty table (it then plans scans of
   * every computer) and the tables with every dead row of the runs before.
   */
  public void vacuum() throws SQLException {
    execute("VACUUM (ANALYZE)");
  }

  /** The first column of the first row of a query. */
  public long queryLong(String sql) throws SQLException {
    try (Connection conn = connect();
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row of a query. */
  public List<Long> queryLongs(String sql) throws SQLException {
    try (Connection conn = connect();
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<Long> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getLong(1));
      }
      return values;
    }
  }

  /** Brings the schema up to date, as the server does when it starts. */
  public void migrate() {
    Database.migrate(Database.connectOptions(url()));
  }

  /** A Vert.x pool on the database, for the harness's own statements. */
  public Pool pool(Vertx vertx, int size) {
    return Database.pool(vertx, Database.connectOptions(url()), size);
  }

  /** The PostgreSQL backends now connected to the database. */
  public synchronized List<Long> backendPids() {
    List<Long> pids = new ArrayList<>();
    try (Statement st = admin.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = '" + name + "'")) {
      while (rs.next()) {
        pids.add(rs.getLong(1));
      }
    } catch (SQLException e) {
      return List.of();
    }
    return pids;
  }

  /** PostgreSQL's version string. */
  public String serverVersion() throws SQLException {
    try (Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Drops the database, ending any session left on it. */
  @Override
  public synchronized void close() throws SQLException {
    Cleanup.closed(this);
    try (Statement st = admin.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } finally {
      admin.close();
    }
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + database;
  }
}
