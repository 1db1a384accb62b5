package dev.outpost.server.embedded;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
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

/**
 * A PostgreSQL 15 server run from bundled binaries, its data kept under a home directory between
 * runs. It listens on the loopback only and asks for the superuser's password (SCRAM), which the
 * caller keeps; a data directory made before it did (trust authentication) gets the password and
 * the new rule on its next start.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  /** The database Outpost keeps its tables in. */
  public static final String DATABASE = "outpost";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String SUPERUSER = "postgres";
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 20;

  private volatile EmbeddedPostgres postgres;
  private final Path root;
  private final Path dataDirectory;
  private final HomeLock lock;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The process id of the postmaster started last. */
  private volatile long postmaster;

  private EmbeddedDatabase(
      EmbeddedPostgres postgres, Path root, Path dataDirectory, HomeLock lock, String password) {
    this.postgres = postgres;
    this.root = root;
    this.dataDirectory = dataDirectory;
    this.lock = lock;
    this.password = password;
    this.postmaster = Postmaster.pid(dataDirectory).orElse(-1L);
  }

  /**
   * Starts PostgreSQL on a free port with its data under {@code home/pgdata}, its superuser's
   * password {@code password}; blocks until it answers.
   */
  public static EmbeddedDatabase start(Path home, String password) {
    return start(home, 0, password);
  }

  /**
   * Starts PostgreSQL on the given port ({@code 0}: any free one) with its data under {@code
   * home/pgdata}, and creates the {@value #DATABASE} database if missing; blocks until it answers.
   * A new data directory is made with {@code password} for its superuser; one that trusts every
   * local connection, as before passwords, is given it.
   */
  public static EmbeddedDatabase start(Path home, int port, String password) {
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
      boolean trusting = SuperuserPassword.trusted(data);
      EmbeddedPostgres postgres = launch(root, data, log, port, password);
      EmbeddedDatabase database = new EmbeddedDatabase(postgres, root, data, lock, password);
      try {
        if (trusting) {
          SuperuserPassword.require(postgres.getPostgresDatabase(), data, password);
        }
        database.createDatabaseIfMissing();
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
      LOG.info(
          "embedded postgresql started [port: {}, data: {}, log: {}]",
          postgres.getPort(),
          data,
          log);
      return database;
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /**
   * The connection URI for vertx-pg-client, password and all, e.g. {@code
   * postgresql://postgres:PASSWORD@127.0.0.1:5433/outpost}.
   */
  public String url() {
    // the password is URL-safe base64 (Secrets.generate) or the caller's: encoded either way
    return "postgresql://"
        + SUPERUSER
        + ":"
        + URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "@"
        + HOST
        + ":"
        + port()
        + "/"
        + DATABASE;
  }

  /** The port PostgreSQL listens on, on 127.0.0.1. */
  public int port() {
    return postgres.getPort();
  }

  /** Where PostgreSQL keeps its data. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The process id of the postmaster, as its {@code postmaster.pid} gave it when it started. */
  public long postmasterPid() {
    return postmaster;
  }

  /**
   * Whether the postmaster started last still runs: false once it died (killed, or crashed), though
   * its sessions may linger a moment.
   */
  public boolean running() {
    return !closed.get() && Postmaster.runs(postmaster);
  }

  /**
   * Starts PostgreSQL again on the same data and the same port, after its postmaster died: the
   * pool's connections fail, and the next ones it opens reach the new server. Does nothing once
   * closed, or while the postmaster runs.
   *
   * @throws IllegalStateException when it does not start (its sessions may still hold the shared
   *     memory a moment: the caller tries again)
   */
  public synchronized void restart() {
    if (closed.get() || Postmaster.runs(postmaster)) {
      return;
    }
    int port = postgres.getPort();
    try {
      // releases zonky's lock on the data directory; its pg_ctl stop finds nothing to stop
      postgres.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the dead postgresql [data: {}]", dataDirectory, e);
    }
    // the dead postmaster's lock file: PostgreSQL takes a process that is not reaped for a live one
    Postmaster.forget(dataDirectory, postmaster);
    postgres = launch(root, dataDirectory, root.resolve("postgresql.log"), port, password);
    postmaster = Postmaster.pid(dataDirectory).orElse(-1L);
    LOG.info(
        "embedded postgresql started again [port: {}, pid: {}, data: {}]",
        port,
        postmaster,
        dataDirectory);
  }

  /**
   * Stops PostgreSQL with a fast shutdown (sessions are rolled back) and waits for it; idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      // zonky logs and swallows a failed pg_ctl stop; a clean stop removes the pid file
      postgres.close();
      if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
        LOG.warn(
            "embedded postgresql may still be running, the next start stops it [data: {}]",
            dataDirectory);
      } else {
        LOG.info(
            "embedded postgresql stopped [port: {}, data: {}]", postgres.getPort(), dataDirectory);
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
   * checks pass while the kernel still grants file access as the real owner. Without user
   * namespaces zonky runs the binaries as root and initdb fails with a message that hides the
   * cause.
   */
  private static void requireRunnableUser() {
    if (new UnixSystem().getUid() != 0) {
      return;
    }
    if (!LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException(
          "embedded postgresql cannot run as root here: 'unshare -U' "
              + "(user namespaces) is not available; run as another user or set OUTPOST_DB_URL");
    }
    LOG.info("running embedded postgresql in a user namespace because the process runs as root");
  }

  private static EmbeddedPostgres launch(
      Path root, Path data, Path log, int port, String password) {
    Path passwordFile = null;
    try {
      Path binaries = privateDirectory(root.resolve("pgbin")).resolve("unpacked");
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
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
              // the data outlives the process, so undo zonky's test-speed defaults (-F, async
              // commit)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "100")
              // how zonky connects, to see that it started and to create the database
              .setConnectConfig("password", password);
      // zonky runs initdb only for a new data directory, and passes it the locale settings as
      // --name=value after its own "-A trust": so a new cluster asks for the password at once
      if (!Files.exists(data.resolve("postgresql.conf"))) {
        passwordFile = SuperuserPassword.forInitdb(root, password);
        builder
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("pwfile", passwordFile.toString());
      }
      return builder.start();
    } catch (IOException | RuntimeException e) {
      if (SuperuserPassword.refused(e)) {
        throw new IllegalStateException(
            "embedded postgresql refuses the password kept in "
                + root.resolve("credentials")
                + ": the file is not the one made with this data"
                + " directory [data: "
                + data
                + "]",
            e);
      }
      LOG.error("embedded postgresql did not start [data: {}, log: {}]\n{}", data, log, tail(log));
      throw new IllegalStateException(
          "embedded postgresql did not start [data: " + data + ", log: " + log + "]", e);
    } finally {
      if (passwordFile != null) {
        passwordFile.toFile().delete();
      }
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
    try (PreparedStatement query =
        connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, DATABASE);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
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
