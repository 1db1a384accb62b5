package dev.outpost.server.exchange;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * A transaction on one connection whose BEGIN goes to the database with its first statement and
 * whose COMMIT goes with its last ones, so that neither costs a round trip of its own (the pool's
 * {@code withTransaction} waits for BEGIN's answer before the first statement, and for the last
 * statement's answer before COMMIT). The connection runs what it is sent in order, and once a
 * statement fails PostgreSQL refuses every later one of the transaction and answers COMMIT by
 * rolling back: a transaction whose statements all succeeded and whose COMMIT succeeded is
 * committed, any other is not.
 */
final class PipelinedTransaction {

  private final SqlConnection conn;
  private Future<Void> commit;

  private PipelinedTransaction(SqlConnection conn) {
    this.conn = conn;
  }

  /**
   * Runs {@code work} in a transaction. The work may send COMMIT itself with its last statements
   * ({@link #commit()}); when it did not, COMMIT follows once its future succeeds. When the work
   * fails the transaction is rolled back; either way the connection goes back to the pool once the
   * transaction has ended.
   */
  static <T> Future<T> run(Pool pool, Function<PipelinedTransaction, Future<T>> work) {
    return pool.getConnection()
        .compose(
            conn -> {
              PipelinedTransaction tx = new PipelinedTransaction(conn);
              Future<Void> begun = conn.query("BEGIN").execute().mapEmpty();
              Future<T> done = start(work, tx);
              return Future.all(begun, done)
                  .compose(both -> tx.commit())
                  .map(committed -> done.result())
                  .recover(failure -> tx.end().transform(ended -> Future.<T>failedFuture(failure)))
                  .eventually(conn::close);
            });
  }

  private static <T> Future<T> start(
      Function<PipelinedTransaction, Future<T>> work, PipelinedTransaction tx) {
    try {
      return work.apply(tx);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Ends the transaction after a failure: with ROLLBACK, unless COMMIT was sent, which ends it
   * either way (by rolling back when a statement before it failed).
   */
  private Future<Void> end() {
    return commit == null ? conn.query("ROLLBACK").execute().mapEmpty() : commit.otherwiseEmpty();
  }

  /** The transaction's connection, for its statements. */
  SqlConnection connection() {
    return conn;
  }

  /**
   * Sends COMMIT behind the statements sent so far, without waiting for their answers. Its future
   * succeeds once PostgreSQL has ended the transaction, which is a commit only when each statement
   * before it succeeded too: the caller waits for all of them. What the work does once COMMIT is
   * sent can no longer undo the transaction. Every later call answers the same future.
   */
  Future<Void> commit() {
    if (commit == null) {
      commit = conn.query("COMMIT").execute().mapEmpty();
    }
    return commit;
  }
}
