package dev.outpost.server;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.db.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The real PostgreSQL the tests use: {@code -Doutpost.test.db.url} (scripts/test makes a fresh
 * database per run), else a local {@code outpost_test} database, created when missing.
 */
public final class TestSupport {

  private static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/outpost_test";
  private static PgConnectOptions migrated;

  private TestSupport() {}

  /** Connection options of the test database, migrated once per test run. */
  public static synchronized PgConnectOptions database() {
    if (migrated == null) {
      String url = System.getProperty("outpost.test.db.url", "");
      PgConnectOptions options =
          Database.connectOptions(url.isBlank() || url.startsWith("${") ? DEFAULT_URL : url);
      createIfMissing(options);
      Database.migrate(options);
      migrated = options;
    }
    return new PgConnectOptions(migrated);
  }

  /** The RabbitMQ the tests use: {@code -Doutpost.test.amqp.url}, else the local one. */
  public static String amqpUrl() {
    String url = System.getProperty("outpost.test.amqp.url", "");
    return url.isBlank() || url.startsWith("${") ? "amqp://guest:guest@127.0.0.1:5672" : url;
  }

  /**
   * Deletes a job queue a test made, unless a consumer still holds it (a server sharing the queue
   * that closes later): runs on one broker would otherwise leave their queues behind for good.
   */
  public static void deleteQueueIfUnused(String queue) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(amqpUrl());
      try (Connection connection = factory.newConnection();
          Channel channel = connection.createChannel()) {
        channel.queueDelete(queue, true, false);
      }
    } catch (IOException | ShutdownSignalException e) {
      // still in use (the broker refused and closed the channel), or the broker is gone: the
      // queue stays, which costs a later run nothing
    } catch (Exception e) {
      throw new IllegalStateException("could not delete the test queue " + queue, e);
    }
  }

  /**
   * The shared buffers one run of {@code sql} reads in the plan PostgreSQL keeps for it once it is
   * prepared (its generic plan): prepared with parameters of {@code types} and run under EXPLAIN
   * ANALYZE with {@code arguments} (a utility statement takes no parameters: they go as literals),
   * in a transaction rolled back so that nothing of the run stays.
   */
  public static long genericPlanBuffers(Pool pool, String sql, String types, String arguments) {
    return await(
        pool.withConnection(
            conn ->
                conn.query("BEGIN")
                    .execute()
                    .compose(
                        begun ->
                            conn.query("SET LOCAL plan_cache_mode = force_generic_plan").execute())
                    .compose(
                        set ->
                            conn.query("PREPARE plan_under_test (" + types + ") AS " + sql)
                                .execute())
                    .compose(
                        prepared ->
                            conn.query(
                                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE"
                                        + " plan_under_test ("
                                        + arguments
                                        + ")")
                                .execute())
                    .map(
                        plan -> {
                          JsonObject top =
                              new JsonArray(plan.iterator().next().getValue(0).toString())
                                  .getJsonObject(0)
                                  .getJsonObject("Plan");
                          return top.getLong("Shared Hit Blocks")
                              + top.getLong("Shared Read Blocks");
                        })
                    .eventually(
                        () ->
                            conn.query("ROLLBACK")
                                .execute()
                                .compose(
                                    rolledBack ->
                                        conn.query("DEALLOCATE plan_under_test").execute()))));
  }

  /**
   * Ends what the accounts left unfinished (their script profiles archived) and drops their outbox
   * rows. Tests share one database, and every server's relay publishes any account's outbox rows to
   * its own queue, its sweeps move any account's due activities and release any expired lease: a
   * test's leftovers would reach the next test's server, its queue and its handlers.
   */
  public static void endActivities(Pool pool, long... accounts) {
    io.vertx.sqlclient.Tuple ids =
        io.vertx.sqlclient.Tuple.of(java.util.Arrays.stream(accounts).boxed().toArray(Long[]::new));
    // their script profiles fire no more, and enrollments wait for none
    await(
        pool.preparedQuery(
                "UPDATE script_profiles SET next_fire_at = NULL, archived_at = now()"
                    + " WHERE account_id = ANY($1)")
            .execute(ids));
    await(pool.preparedQuery("DELETE FROM enrollments WHERE account_id = ANY($1)").execute(ids));
    await(
        pool.preparedQuery(
                """
                DELETE FROM outbox o USING activities a
                 WHERE o.activity_id = a.id AND a.account_id = ANY($1)
                """)
            .execute(ids));
    await(
        pool.preparedQuery(
                """
                UPDATE activities SET status = 'canceled', lease_owner = NULL, lease_until = NULL
                 WHERE account_id = ANY($1)
                   AND status IN ('queued', 'scheduled', 'waiting', 'blocked', 'in-progress')
                """)
            .execute(ids));
  }

  /** An activity's stored status, read from the database. */
  public static String status(Pool pool, long id) {
    return await(
            pool.preparedQuery("SELECT status FROM activities WHERE id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(id)))
        .iterator()
        .next()
        .getString(0);
  }

  /** How many of an account's activities have the status. */
  public static long count(Pool pool, long account, String status) {
    return await(
            pool.preparedQuery(
                    "SELECT count(*) FROM activities WHERE account_id = $1 AND status = $2")
                .execute(io.vertx.sqlclient.Tuple.of(account, status)))
        .iterator()
        .next()
        .getLong(0);
  }

  /**
   * How many times its {@code seconds} {@link #eventually} waits ({@code -Doutpost.test.patience},
   * 3 when not given). The seconds a test names are what a quiet machine needs; a loaded one (two
   * cores and several builds) needs several times that, and waiting longer for a condition asserts
   * no less: only a test that fails takes longer to say so.
   */
  private static final int PATIENCE = Math.max(1, Integer.getInteger("outpost.test.patience", 3));

  /**
   * Polls until the condition holds, failing after {@code seconds} times {@link #PATIENCE}; never a
   * fixed sleep.
   */
  public static void eventually(int seconds, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + seconds * PATIENCE * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + seconds * PATIENCE + " s");
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** A request for a script on the given computers: one activity, or a group of them. */
  public static io.vertx.core.json.JsonObject script(long... computers) {
    io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
    for (long c : computers) {
      ids.add(c);
    }
    return new io.vertx.core.json.JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", ids)
        .put("parameters", new io.vertx.core.json.JsonObject().put("code", "echo hi"));
  }

  /** Asserts a 400 whose message names the given word. */
  public static void assertBadRequest(
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> response, String named) {
    org.assertj.core.api.Assertions.assertThat(response.statusCode())
        .as(response.bodyAsString())
        .isEqualTo(400);
    org.assertj.core.api.Assertions.assertThat(response.bodyAsJsonObject().getString("message"))
        .contains(named);
  }

  /** A name no other test uses, for accounts and queues. */
  public static String unique(String prefix) {
    return prefix + "-" + Secrets.generate().substring(0, 10).toLowerCase().replace('_', 'x');
  }

  /**
   * Waits for a future from a test thread (never from an event loop), 30 s times {@link #PATIENCE}
   * at most: a server's start on a loaded machine took longer than 30 s.
   */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30L * PATIENCE, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void createIfMissing(PgConnectOptions options) {
    String admin = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/postgres";
    try (var conn = DriverManager.getConnection(admin, options.getUser(), options.getPassword());
        var check = conn.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      check.setString(1, options.getDatabase());
      if (!check.executeQuery().next()) {
        try (var create = conn.createStatement()) {
          create.execute("CREATE DATABASE \"" + options.getDatabase().replace("\"", "") + "\"");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the test PostgreSQL does not answer at " + admin + "; scripts/test starts one", e);
    }
  }

  /** A clock the test sets: time never moves by itself. */
  public static final class SettableClock extends Clock {
    private volatile Instant now;

    /** Starts at the given instant. */
    public SettableClock(Instant start) {
      this.now = start;
    }

    /** Moves time to the given instant. */
    public void set(Instant instant) {
      now = instant;
    }

    /** Moves time on by the given amount. */
    public synchronized void advance(java.time.Duration amount) {
      now = now.plus(amount);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
