package dev.outpost.server.activity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pages of activities: the query's condition, the keyset cursor and the capped count. */
final class ActivityListing {

  /**
   * Counting stops here: a count costs a scan of every match, so past this a listing says only
   * "at least this many" and stays as cheap as its page.
   */
  static final int COUNT_CAP = 10_000;

  private ActivityListing() {
  }

  /**
   * Lists the account's activities matching the query, newest first, one page: {@code limit}
   * rows below {@code before} (when given) after skipping {@code offset}. One row more is read
   * to tell whether a next page exists.
   *
   * <p>One statement, on one connection, answers both the page and the count. The count is of
   * every match, whichever page this is: it leaves the cursor out. A first page with room to
   * spare holds every match, so then its own rows are the count and nothing else is scanned.
   */
  static Future<Page<Activity>> list(Pool pool, long accountId, ActivityQuery query,
      PageRequest page) {
    List<Object> params = new ArrayList<>(List.of(accountId));
    String where = where(query, page, params);
    StringBuilder pageSql = new StringBuilder("SELECT ").append(ActivityStore.COLUMNS)
        .append(where);
    page.before().ifPresent(before -> {
      params.add(before);
      pageSql.append(" AND a.id < $").append(params.size());
    });
    params.add(page.limit() + 1);
    int limitParam = params.size();
    params.add(page.offset());
    pageSql.append(" ORDER BY a.id DESC LIMIT $").append(limitParam)
        .append(" OFFSET $").append(params.size());
    if (!page.count()) {
      return pool.preparedQuery(pageSql.toString())
          .execute(Tuple.from(params))
          .map(rows -> page(page, Optional.empty(), ActivityStore.mapAll(rows)));
    }
    params.add(COUNT_CAP + 1);
    String capped = "(SELECT count(*) FROM (SELECT 1" + where + " LIMIT $" + params.size()
        + ") matching)";
    boolean pageHoldsAll = page.before().isEmpty() && page.offset() == 0;
    // a subquery in a CASE branch not taken is never run
    String count = pageHoldsAll
        ? "CASE WHEN (SELECT count(*) FROM page) < $" + limitParam
            + " THEN (SELECT count(*) FROM page) ELSE " + capped + " END"
        : capped;
    // the count's row stands alone when the page is empty, so it is never lost
    String sql = "WITH page AS (" + pageSql + ")"
        + " SELECT page.*, counted.total FROM (SELECT " + count + " AS total) counted"
        + " LEFT JOIN page ON TRUE ORDER BY page.id DESC";
    return pool.preparedQuery(sql)
        .execute(Tuple.from(params))
        .map(rows -> {
          long total = rows.iterator().next().getLong("total");
          List<Activity> found = new ArrayList<>(rows.size());
          rows.forEach(row -> {
            if (row.getValue(0) != null) {   // the id: null when the page is empty
              found.add(ActivityStore.map(row));
            }
          });
          return page(page, Optional.of(total), found);
        });
  }

  /**
   * {@code FROM ... WHERE ...} of a listing, without the cursor; its values are appended to
   * {@code params}, where $1 is the account.
   */
  private static String where(ActivityQuery query, PageRequest page, List<Object> params) {
    StringBuilder where = new StringBuilder(" FROM ")
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

  private static Page<Activity> page(PageRequest request, Optional<Long> counted,
      List<Activity> rows) {
    boolean more = rows.size() > request.limit();
    List<Activity> results = more ? rows.subList(0, request.limit()) : rows;
    Optional<Long> next = more
        ? Optional.of(results.get(results.size() - 1).id())
        : Optional.empty();
    boolean capped = counted.map(n -> n > COUNT_CAP).orElse(false);
    return new Page<>(counted.map(n -> Math.min(n, COUNT_CAP)), capped, results, next);
  }
}
