package dev.outpost.server.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the PostgreSQL pool and brings the schema up to date with Flyway. */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private Database() {}

  /**
   * Parses a {@code postgresql://} URL, naming it, without its password, when it is not one. The
   * parser's own error is left out: it quotes the URL whole.
   */
  public static PgConnectOptions connectOptions(String url) {
    try {
      return PgConnectOptions.fromUri(url).setCachePreparedStatements(true);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "not a postgresql:// URL: '"
              + url.replaceFirst("^([^:/]*://[^:/@]*:)[^/@]*@", "$1***@")
              + "'");
    }
  }

  /** Succeeds once the database has answered a trivial query. */
  public static Future<Void> answers(Pool pool) {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Creates a pool whose requests for a connection may all wait, however many. */
  public static Pool pool(Vertx vertx, PgConnectOptions options, int size) {
    return pool(vertx, options, size, -1);
  }

  /**
   * Creates the pool every store shares; past {@code maxWaitQueue} requests waiting for a
   * connection, the next fails at once (the HTTP front answers it 503 with Retry-After) instead of
   * queueing without end.
   */
  public static Pool pool(Vertx vertx, PgConnectOptions options, int size, int maxWaitQueue) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(maxWaitQueue).setShared(false))
        .connectingTo(options)
        .using(vertx)
        .build();
  }

  /**
   * Applies pending migrations. Blocking: call it off the event loop.
   *
   * @return the version of the newest migration this server holds, which the schema now has
   */
  public static String migrate(PgConnectOptions options) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(jdbcUrl(options), options.getUser(), options.getPassword())
            .locations("classpath:db/migration")
            .load();
    var result = flyway.migrate();
    String newest =
        java.util.Arrays.stream(flyway.info().all())
            .filter(migration -> migration.getVersion() != null)
            .filter(migration -> migration.getState().isResolved())
            .map(migration -> migration.getVersion())
            .max(Comparable::compareTo)
            .map(version -> version.getVersion())
            .orElse("0");
    LOG.info(
        "schema migrated [applied: {}, version: {}]",
        result.migrationsExecuted,
        result.targetSchemaVersion);
    return newest;
  }

  /**
   * Succeeds with whether migration {@code version} is applied, successfully: false once the
   * database was replaced by one made before it (restored from an older backup, say). Fails when
   * the database does not answer.
   */
  public static Future<Boolean> schemaApplied(Pool pool, String version) {
    return pool.preparedQuery(
            "SELECT EXISTS (SELECT 1 FROM flyway_schema_history WHERE version = $1 AND success)")
        .execute(io.vertx.sqlclient.Tuple.of(version))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  private static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://"
        + options.getHost()
        + ":"
        + options.getPort()
        + "/"
        + URLEncoder.encode(options.getDatabase(), StandardCharsets.UTF_8);
  }
}
