package dev.outpost.server.db;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs an admin's reads under PostgreSQL's {@code statement_timeout}, so a listing that runs too
 * long ends with a 503 instead of holding its connection.
 *
 * <p>Each read runs in a read-only transaction of its own whose {@code SET LOCAL} ends with it, so
 * the pool's connections go back as they came and the other users of the pool (the message
 * exchange, the scheduler, the job-handler) never meet the timeout. BEGIN goes with the read, and
 * the answer does not wait for COMMIT (the transaction wrote nothing): the connection goes back to
 * the pool once the transaction has ended.
 */
public final class TimedReads {

  /** The error code of a read stopped by the timeout. */
  public static final String TIMEOUT_CODE = "query-timeout";

  /** PostgreSQL's {@code query_canceled}: what a statement past its timeout fails with. */
  private static final String QUERY_CANCELED = "57014";

  private final Pool pool;
  private final Duration timeout;
  private final String setTimeout;
  private final String begin;

  /** Reads from the pool, each statement for at most {@code timeout}; zero for no limit. */
  public TimedReads(Pool pool, Duration timeout) {
    this.pool = pool;
    this.timeout = timeout;
    // SET takes no parameters; the value is a number of our own configuration, not input
    this.setTimeout = "SET LOCAL statement_timeout = " + timeout.toMillis();
    this.begin = "BEGIN READ ONLY; " + setTimeout;
  }

  /** The pool the reads run on. */
  public Pool pool() {
    return pool;
  }

  /**
   * Runs {@code read} on a connection of its own under the timeout; a statement that runs past it
   * fails the read with a 503 saying so.
   */
  public <T> Future<T> run(Function<SqlConnection, Future<T>> read) {
    return pool.getConnection()
        .compose(
            conn -> {
              Future<Void> begun = conn.query(begin).execute().mapEmpty();
              Future<T> done = start(read, conn);
              Future.join(begun, done)
                  .transform(both -> conn.query(both.succeeded() ? "COMMIT" : "ROLLBACK").execute())
                  .onComplete(ended -> conn.close());
              return Future.all(begun, done).map(both -> done.result()).recover(this::explain);
            });
  }

  /**
   * Runs {@code read} on a connection in the caller's transaction under the timeout, which ends
   * with the read: the statements after it in the transaction run without it.
   */
  public <T> Future<T> within(SqlConnection conn, Function<SqlConnection, Future<T>> read) {
    return conn.query(setTimeout)
        .execute()
        .compose(set -> start(read, conn))
        .compose(
            result ->
                conn.query("SET LOCAL statement_timeout TO DEFAULT").execute().map(reset -> result))
        .recover(this::explain);
  }

  /**
   * How many rows {@code fromWhere} ({@code FROM ... WHERE ...} over {@code params}) matches,
   * counted up to {@code cap + 1}: one past the cap says there are more.
   */
  public Future<Long> countUpTo(String fromWhere, List<Object> params, int cap) {
    List<Object> countParams = new ArrayList<>(params);
    countParams.add(cap + 1);
    return run(conn ->
            conn.preparedQuery(
                    "SELECT count(*) FROM (SELECT 1"
                        + fromWhere
                        + " LIMIT $"
                        + countParams.size()
                        + ") matching")
                .execute(Tuple.from(countParams)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private static <T> Future<T> start(Function<SqlConnection, Future<T>> read, SqlConnection conn) {
    try {
      return read.apply(conn);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private <T> Future<T> explain(Throwable failure) {
    if (failure instanceof PgException pg && QUERY_CANCELED.equals(pg.getSqlState())) {
      return Future.failedFuture(
          new OutpostException(
              503,
              TIMEOUT_CODE,
              "the query ran longer than "
                  + timeout.toMillis()
                  + " ms (OUTPOST_QUERY_TIMEOUT_MS)"
                  + " and was stopped; narrow it, ask with count=false, or page with 'before'",
              failure));
    }
    return Future.failedFuture(failure);
  }
}
