package dev.outpost.server.activity;

import dev.outpost.server.db.TimedReads;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pages of activities: the query's condition, the keyset cursor and the capped count. */
final class ActivityListing {

  private ActivityListing() {}

  /**
   * Lists the account's activities matching the query, newest first, one page: {@code limit} rows
   * below {@code before} (when given) after skipping {@code offset}. One row more is read to tell
   * whether a next page exists. The count and the page each run under the reads' timeout.
   */
  static Future<Page<Activity>> list(
      TimedReads reads, long accountId, ActivityQuery query, PageRequest page) {
    List<Object> params = new ArrayList<>(List.of(accountId));
    String where = where(query, page, params);
    // The count is of every match, whichever page this is: it leaves the cursor out.
    Future<Optional<Long>> count =
        page.count()
            ? reads.countUpTo(where, params, Page.COUNT_CAP).map(Optional::of)
            : Future.succeededFuture(Optional.empty());
    List<Object> pageParams = new ArrayList<>(params);
    StringBuilder sql = new StringBuilder("SELECT ").append(ActivityStore.COLUMNS).append(where);
    page.before()
        .ifPresent(
            before -> {
              pageParams.add(before);
              sql.append(" AND a.id < $").append(pageParams.size());
            });
    pageParams.add(page.limit() + 1);
    pageParams.add(page.offset());
    sql.append(" ORDER BY a.id DESC LIMIT $")
        .append(pageParams.size() - 1)
        .append(" OFFSET $")
        .append(pageParams.size());
    Future<List<Activity>> rows =
        reads
            .run(conn -> conn.preparedQuery(sql.toString()).execute(Tuple.from(pageParams)))
            .map(ActivityStore::mapAll);
    return Future.all(count, rows)
        .map(done -> Page.of(page.limit(), count.result(), rows.result(), Activity::id));
  }

  /**
   * {@code FROM ... WHERE ...} of a listing, without the cursor; its values are appended to {@code
   * params}, where $1 is the account.
   */
  private static String where(ActivityQuery query, PageRequest page, List<Object> params) {
    StringBuilder where =
        new StringBuilder(" FROM ")
            .append(page.archived() ? "activities_archive" : "activities")
            .append(" a WHERE a.account_id = $1");
    if (page.groupsOnly()) {
      // a group is the one row with no status of its own (the table's check says so), which is
      // what the partial index of groups holds
      where.append(" AND a.status IS NULL");
    }
    QuerySql.Scope scope = page.groupsOnly() ? QuerySql.Scope.ONLY_GROUPS : QuerySql.Scope.ANY;
    return where.append(" AND ").append(new QuerySql(params).condition(query, scope)).toString();
  }
}
