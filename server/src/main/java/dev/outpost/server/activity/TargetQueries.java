package dev.outpost.server.activity;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * The computers a request's query targets, chosen in the transaction that creates its activities
 * (the computer package's selection answers it).
 */
@FunctionalInterface
public interface TargetQueries {

  /**
   * The ids of the account's computers the query selects ({@code ""}: all of them), in id order; a
   * 400 for a query that is not one, or that selects more than the target cap.
   */
  Future<List<Long>> select(SqlConnection conn, long accountId, String query);
}
