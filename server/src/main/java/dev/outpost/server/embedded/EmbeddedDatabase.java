package dev.outpost.server.embedded;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A PostgreSQL 15 server run from bundled binaries, its data kept under a home directory between runs. */
public final class EmbeddedDatabase implements AutoCloseable {

  /** The database Outpost keeps its tables in. */
  public static final String DATABASE = "outpost";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String SUPERUSER = "postgres";
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 20;

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final HomeLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, HomeLock lock) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.lock = lock;
  }

  /** Starts PostgreSQL on a free port with its data under {@code home/pgdata}; blocks until it answers. */
  public static EmbeddedDatabase start(Path home) {
    return start(home, 0);
  }

  /**
   * Starts PostgreSQL on the given port ({@code 0}: any free one) with its data under
   * {@code home/pgdata}, and creates the {@value #DATABASE} database if missing; blocks until it
   * answers.
   */
  public static EmbeddedDatabase start(Path home, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range [port: " + port + "]");
    }
    Path root = home.toAbsolutePath().normalize();
    Path data = root.resolve("pgdata");
    Path log = root.resolve("postgresql.log");
    requireRunnableUser();
    HomeLock lock = HomeLock.acquire(root.resolve("pgdata.lock"), "embedded postgresql");
    try {
      LeftoverPostmaster.clear(data);
      EmbeddedPostgres postgres = launch(root, data, log, port);
      EmbeddedDatabase database = new EmbeddedDatabase(postgres, data, lock);
      try {
        database.createDatabaseIfMissing();
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
      LOG.info("embedded postgresql started [port: {}, data: {}, log: {}]", postgres.getPort(), data, log);
      return database;
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /** The connection URI for vertx-pg-client, e.g. {@code postgresql://postgres@127.0.0.1:5433/outpost}. */
  public String url() {
    return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port() + "/" + DATABASE;
  }

  /** The port PostgreSQL listens on, on 127.0.0.1. */
  public int port() {
    return postgres.getPort();
  }

  /** Where PostgreSQL keeps its data. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops PostgreSQL with a fast shutdown (sessions are rolled back) and waits for it; idempotent. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      // zonky logs and swallows a failed pg_ctl stop; a clean stop removes the pid file
      postgres.close();
      if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
        LOG.warn("embedded postgresql may still be running, the next start stops it [data: {}]", dataDirectory);
      } else {
        LOG.info("embedded postgresql stopped [port: {}, data: {}]", postgres.getPort(), dataDirectory);
      }
    } catch (IOException e) {
      LOG.warn("embedded postgresql did not stop cleanly [data: {}]", dataDirectory, e);
    } finally {
      lock.release();
    }
  }

  /**
   * PostgreSQL refuses to run as root. As root, zonky runs initdb, pg_ctl and postgres through
   * {@code unshare -U}: in a fresh user namespace with no uid mapped the process sees itself as the
   * overflow uid (65534, "nobody"), and so do the root-owned data files, so PostgreSQL's ownership
   * checks pass while the kernel still grants file access as the real owner. Without user namespaces
   * zonky runs the binaries as root and initdb fails with a message that hides the cause.
   */
  private static void requireRunnableUser() {
    if (new UnixSystem().getUid() != 0) {
      return;
    }
    if (!LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException("embedded postgresql cannot run as root here: 'unshare -U' "
          + "(user namespaces) is not available; run as another user or set OUTPOST_DB_URL");
    }
    LOG.info("running embedded postgresql in a user namespace because the process runs as root");
  }

  private static EmbeddedPostgres launch(Path root, Path data, Path log, int port) {
    try {
      Path binaries = privateDirectory(root.resolve("pgbin")).resolve("unpacked");
      return EmbeddedPostgres.builder()
          .setPgBinaryResolver(new CachedBinaries(binaries))
          .setOverrideWorkingDirectory(binaries.toFile())
          .setDataDirectory(data)
          .setCleanDataDirectory(false)
          // the server's own shutdown hook closes us; a second hook would race it
          .setRegisterShutdownHook(false)
          .setPort(port)
          .setPGStartupWait(STARTUP_WAIT)
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          // an explicit locale: initdb fails when LANG names a locale the machine lacks
          .setLocaleConfig("locale", "C")
          .setServerConfig("listen_addresses", HOST)
          // TCP only: no socket files left in /tmp, no clash with a system PostgreSQL
          .setServerConfig("unix_socket_directories", "''")
          // the data outlives the process, so undo zonky's test-speed defaults (-F, async commit)
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("max_connections", "100")
          .start();
    } catch (IOException | RuntimeException e) {
      LOG.error("embedded postgresql did not start [data: {}, log: {}]\n{}", data, log, tail(log));
      throw new IllegalStateException("embedded postgresql did not start [data: " + data + ", log: " + log + "]", e);
    }
  }

  /**
   * zonky makes the directory it unpacks into world-writable; kept inside a directory only the
   * owner may enter, nobody else can swap the binaries this process runs.
   */
  private static Path privateDirectory(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    return directory;
  }

  private void createDatabaseIfMissing() {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      if (databaseExists(connection)) {
        return;
      }
      try (Statement statement = connection.createStatement()) {
        // a constant name: CREATE DATABASE takes no parameters
        statement.execute("CREATE DATABASE " + DATABASE);
      }
      LOG.info("embedded postgresql created database [name: {}]", DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database [name: " + DATABASE + "]", e);
    }
  }

  private static boolean databaseExists(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, DATABASE);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * The bundled binaries, told apart by where they are unpacked: zonky remembers the unpacked copy
   * per resolver for the life of the JVM, and two homes must not share one.
   */
  private record CachedBinaries(Path directory) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
    }
  }
}
