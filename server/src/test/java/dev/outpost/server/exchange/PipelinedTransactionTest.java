package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A transaction whose BEGIN and COMMIT travel with its statements, against the real database: all
 * of it or nothing is written, and its connection goes back to the pool out of any transaction.
 */
@ExtendWith(VertxExtension.class)
class PipelinedTransactionTest {

  /** One connection, so that every transaction runs on the connection the one before used. */
  private static Pool pool;

  private static String table;

  @BeforeAll
  static void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestSupport.database(), 1);
    table = TestSupport.unique("pipelined").replace('-', '_');
    await(pool.query("CREATE TABLE " + table + " (n int PRIMARY KEY)").execute());
  }

  @AfterAll
  static void tearDown() {
    await(pool.query("DROP TABLE " + table).execute());
    await(pool.close());
  }

  /**
   * Verifies that statements sent together with COMMIT, without waiting for each other, are
   * committed together and answered in order.
   */
  @Test
  void statementsSentWithTheCommitAreCommitted() {
    List<Integer> inserted =
        await(
            PipelinedTransaction.run(
                pool,
                tx -> {
                  Future<List<Integer>> first = insert(tx, 1, 2);
                  Future<List<Integer>> second = insert(tx, 3);
                  Future<Void> committed = tx.commit();
                  return Future.all(first, second, committed)
                      .map(
                          done -> {
                            List<Integer> all = new ArrayList<>(first.result());
                            all.addAll(second.result());
                            return all;
                          });
                }));

    assertThat(inserted).containsExactly(1, 2, 3);
    assertThat(numbers()).contains(1, 2, 3);
    assertThat(inTransaction()).isFalse();
  }

  /** Verifies that work which sends no COMMIT of its own is committed once it succeeds. */
  @Test
  void workWithoutACommitOfItsOwnIsCommittedWhenItSucceeds() {
    await(PipelinedTransaction.run(pool, tx -> insert(tx, 10)));

    assertThat(numbers()).contains(10);
    assertThat(inTransaction()).isFalse();
  }

  /**
   * Verifies that a statement failing among others sent with the COMMIT leaves nothing written:
   * neither what went before it nor what came after, although COMMIT itself answers without an
   * error; and that the connection is out of any transaction afterwards.
   */
  @Test
  void aFailingStatementAmongThoseSentWithTheCommitLeavesNothingWritten() {
    await(PipelinedTransaction.run(pool, tx -> insert(tx, 20)));

    assertThatThrownBy(
            () ->
                await(
                    PipelinedTransaction.run(
                        pool,
                        tx -> {
                          Future<List<Integer>> before = insert(tx, 21);
                          Future<List<Integer>> duplicate = insert(tx, 20);
                          Future<List<Integer>> after = insert(tx, 22);
                          Future<Void> committed = tx.commit();
                          return Future.all(before, duplicate, after, committed);
                        })))
        .hasMessageContaining("duplicate key");

    assertThat(numbers()).contains(20).doesNotContain(21, 22);
    assertThat(inTransaction()).isFalse();
  }

  /** Verifies that work failing on its own, after writing, is rolled back. */
  @Test
  void workThatFailsIsRolledBack() {
    assertThatThrownBy(
            () ->
                await(
                    PipelinedTransaction.run(
                        pool,
                        tx ->
                            insert(tx, 30)
                                .compose(
                                    done ->
                                        Future.failedFuture(
                                            new IllegalStateException("refused"))))))
        .hasMessage("refused");
    assertThatThrownBy(
            () ->
                await(
                    PipelinedTransaction.run(
                        pool,
                        tx -> {
                          insert(tx, 31);
                          throw new IllegalStateException("thrown");
                        })))
        .hasMessage("thrown");

    assertThat(numbers()).doesNotContain(30, 31);
    assertThat(inTransaction()).isFalse();
  }

  private static Future<List<Integer>> insert(PipelinedTransaction tx, Integer... numbers) {
    return tx.connection()
        .preparedQuery("INSERT INTO " + table + " SELECT unnest($1::int[]) RETURNING n")
        .execute(Tuple.of(numbers))
        .map(
            rows -> {
              List<Integer> inserted = new ArrayList<>();
              rows.forEach(row -> inserted.add(row.getInteger(0)));
              return inserted;
            });
  }

  private static List<Integer> numbers() {
    List<Integer> numbers = new ArrayList<>();
    await(pool.query("SELECT n FROM " + table).execute())
        .forEach(row -> numbers.add(row.getInteger(0)));
    return numbers;
  }

  /** Whether the pool's one connection is still inside a transaction. */
  private static boolean inTransaction() {
    // now() is the transaction's start: inside a transaction two statements read the same one
    Row first =
        await(pool.query("SELECT now() = statement_timestamp()").execute()).iterator().next();
    return !first.getBoolean(0);
  }
}
