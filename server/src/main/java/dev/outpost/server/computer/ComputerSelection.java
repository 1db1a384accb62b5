package dev.outpost.server.computer;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.db.TimedReads;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The computers a query selects: the one way targets are chosen by query (activities, tags in bulk,
 * and whatever else acts on "the computers where ..."). Only the account's registered computers, by
 * id; at most the target cap ({@code OUTPOST_MAX_TARGETS}), past which it is a 400; every statement
 * under the query timeout ({@code OUTPOST_QUERY_TIMEOUT_MS}).
 */
public final class ComputerSelection {

  private final TimedReads reads;
  private final Clock clock;
  private final int maxTargets;

  /**
   * Selects on the pool (or in a caller's transaction), each statement for at most {@code
   * queryTimeout}, at most {@code maxTargets} computers.
   */
  public ComputerSelection(Pool pool, Clock clock, Duration queryTimeout, int maxTargets) {
    this.reads = new TimedReads(pool, queryTimeout);
    this.clock = clock;
    this.maxTargets = maxTargets;
  }

  /** Parses a query, its relative times counted back from now; a 400 names a bad term. */
  public ComputerQuery parse(String text) {
    return ComputerQuery.parse(text, clock.instant());
  }

  /**
   * The ids of the account's computers the query selects, in id order, on a connection of the pool;
   * an empty list when it selects none, a 400 when it selects more than the target cap.
   */
  public Future<List<Long>> resolve(long accountId, ComputerQuery query) {
    return select(accountId, query, statement -> reads.run(statement));
  }

  /** As {@link #resolve(long, ComputerQuery)}, parsing the text first. */
  public Future<List<Long>> resolve(long accountId, String query) {
    return resolve(accountId, parse(query));
  }

  /**
   * As {@link #resolve(long, ComputerQuery)}, in the transaction {@code conn} is in, so that what
   * is done with the computers sees the same ones.
   */
  public Future<List<Long>> resolve(SqlConnection conn, long accountId, ComputerQuery query) {
    return select(accountId, query, statement -> reads.within(conn, statement));
  }

  /** As {@link #resolve(SqlConnection, long, ComputerQuery)}, parsing the text first. */
  public Future<List<Long>> resolve(SqlConnection conn, long accountId, String query) {
    return resolve(conn, accountId, parse(query));
  }

  private Future<List<Long>> select(
      long accountId,
      ComputerQuery query,
      Function<Function<SqlConnection, Future<RowSet<Row>>>, Future<RowSet<Row>>> runner) {
    List<Object> params = new ArrayList<>(List.of(accountId));
    String condition = new ComputerQuerySql(params, clock.instant()).condition(query);
    // one past the cap tells that there are more
    params.add(maxTargets + 1);
    String sql =
        "SELECT c.id FROM computers c WHERE c.account_id = $1 AND c.removed_at IS NULL AND "
            + condition
            + " ORDER BY c.id LIMIT $"
            + params.size();
    return runner
        .apply(conn -> conn.preparedQuery(sql).execute(Tuple.from(params)))
        .map(
            rows -> {
              if (rows.size() > maxTargets) {
                throw OutpostException.badRequest(
                    "query '"
                        + query.text()
                        + "' selects more than "
                        + maxTargets
                        + " computers; at most "
                        + maxTargets
                        + " may be targeted at once (OUTPOST_MAX_TARGETS)");
              }
              List<Long> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }
}
