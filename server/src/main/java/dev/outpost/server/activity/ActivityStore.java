package dev.outpost.server.activity;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.db.TimedReads;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Activities and their transition log in PostgreSQL. Status changes go through {@link Transitions},
 * the one writer of {@code activities.status}.
 */
public final class ActivityStore {

  /**
   * The columns every read maps, first in its select list ({@link #map} reads them by position); a
   * group's status is derived from its children.
   */
  static final String COLUMNS =
      """
      a.id, a.parent_id, a.computer_id, a.kind, a.type,
      COALESCE(a.status, group_status(a.id)) AS status, a.summary, a.parameters, a.creator,
      a.created_at, a.deliver_after, a.delivered_at, a.completed_at, a.result_code, a.result_text,
      a.progress, a.reapplied_from, a.deliver_before, a.depends_on, a.progress_threshold,
      a.run_on_dependency_failure, a.timeout_seconds, a.max_concurrency, a.max_errors, a.attempt,
      CASE WHEN a.status IS NULL THEN group_children_by_status(a.id) END AS children_by_status,
      a.target_query""";

  /**
   * {@link #COLUMNS} of a group's children, without their parameters: they are the group's (created
   * from one request), and a thousand copies of them are not read for nothing.
   */
  private static final String CHILD_COLUMNS =
      COLUMNS.replace("a.parameters,", "NULL::jsonb AS parameters,");

  private final Pool pool;
  private final Clock clock;
  private final TimedReads reads;

  /**
   * Creates a store over the shared pool, reading time from the clock, listings under the default
   * query timeout.
   */
  public ActivityStore(Pool pool, Clock clock) {
    this(pool, clock, Duration.ofMillis(ServerConfig.Limits.defaults().queryTimeoutMs()));
  }

  /**
   * Creates a store over the shared pool, reading time from the clock; a statement of a listing or
   * of a selection by query runs for at most {@code queryTimeout} (zero: no limit).
   */
  public ActivityStore(Pool pool, Clock clock, Duration queryTimeout) {
    this.pool = pool;
    this.clock = clock;
    this.reads = new TimedReads(pool, queryTimeout);
  }

  /** The pool, for callers that compose several stores in one transaction. */
  public Pool pool() {
    return pool;
  }

  /**
   * The most children one read of a group carries. A fan-out to 100,000 computers read back whole
   * is a 50 MB answer that holds the event loop for seconds; {@code children_by_status} still
   * counts every child, and {@code parent-id:} listings page through them.
   */
  public static final int MAX_CHILDREN = 1_000;

  /**
   * Reads one activity of the account, a group with its first {@link #MAX_CHILDREN} children; 404
   * when the account has none such.
   */
  public Future<Activity> find(long accountId, long id) {
    return find(accountId, id, MAX_CHILDREN);
  }

  /** Reads one activity of the account, a group with every child, for those who act on all. */
  public Future<Activity> findWithAllChildren(long accountId, long id) {
    return find(accountId, id, Integer.MAX_VALUE);
  }

  /** Succeeds when the activity (live or archived) is the account's; fails with 404 otherwise. */
  public Future<Void> owned(long accountId, long id) {
    return find(accountId, id, 0).mapEmpty();
  }

  /**
   * Reads one activity of the account, a group with at most {@code maxChildren} children; the
   * children share the group's parameters (they were created with them).
   */
  Future<Activity> find(long accountId, long id, int maxChildren) {
    // Archived activities stay readable: a group and its children are always in the same table.
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM activities a"
                + " WHERE a.account_id = $1 AND a.id = $2"
                + " UNION ALL SELECT "
                + COLUMNS
                + " FROM activities_archive a"
                + " WHERE a.account_id = $1 AND a.id = $2"
                + " UNION ALL (SELECT * FROM (SELECT "
                + CHILD_COLUMNS
                + " FROM activities a"
                + " WHERE a.account_id = $1 AND a.parent_id = $2"
                + " UNION ALL SELECT "
                + CHILD_COLUMNS
                + " FROM activities_archive a"
                + " WHERE a.account_id = $1 AND a.parent_id = $2) children ORDER BY id LIMIT $3)")
        .execute(Tuple.of(accountId, id, maxChildren))
        .map(
            rows -> {
              Activity found = null;
              List<Row> children = new ArrayList<>();
              for (Row row : rows) {
                if (row.getLong(0) == id) {
                  found = map(row);
                } else {
                  children.add(row);
                }
              }
              if (found == null) {
                throw OutpostException.notFound("activity " + id + " not found");
              }
              if (!found.isGroup()) {
                return found;
              }
              List<Activity> loaded = new ArrayList<>(children.size());
              for (Row child : children) {
                loaded.add(map(child, found.parameters()));
              }
              return found.withChildren(loaded);
            });
  }

  /**
   * Lists the account's activities matching the query, newest first, one page: {@code limit} rows
   * below {@code before} (when given) after skipping {@code offset}, with the cursor of the next
   * page and, when asked, the count of all matches.
   */
  public Future<Page<Activity>> list(long accountId, ActivityQuery query, PageRequest page) {
    return ActivityListing.list(reads, accountId, query, page);
  }

  /**
   * The account's activities with these ids, newest first, as listings show them (a group without
   * its children); archived ones are left out.
   */
  public Future<List<Activity>> findAll(long accountId, List<Long> ids) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM activities a WHERE a.account_id = $1 AND a.id = ANY($2)"
                + " ORDER BY a.id DESC")
        .execute(Tuple.tuple().addLong(accountId).addArrayOfLong(ids.toArray(Long[]::new)))
        .map(ActivityStore::mapAll);
  }

  /** The ids of the account's activities matching the query, at most {@code max} of them. */
  public Future<List<Long>> ids(long accountId, ActivityQuery query, int max) {
    List<Object> params = new ArrayList<>(List.of(accountId));
    String condition = new QuerySql(params).condition(query, QuerySql.Scope.ANY);
    params.add(max);
    return reads
        .run(
            conn ->
                conn.preparedQuery(
                        "SELECT a.id FROM activities a WHERE a.account_id = $1 AND "
                            + condition
                            + " ORDER BY a.id LIMIT $"
                            + params.size())
                    .execute(Tuple.from(params)))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  /** Of the named activities, those the creator created. */
  public Future<java.util.Set<Long>> createdBy(long accountId, List<Long> ids, String creator) {
    return pool.preparedQuery(
            "SELECT id FROM activities WHERE account_id = $1 AND id = ANY($2) AND creator = $3")
        .execute(
            Tuple.tuple()
                .addLong(accountId)
                .addArrayOfLong(ids.toArray(Long[]::new))
                .addString(creator))
        .map(
            rows -> {
              java.util.Set<Long> found = new java.util.HashSet<>();
              rows.forEach(row -> found.add(row.getLong(0)));
              return found;
            });
  }

  /** Of the named activities, those that depend on another. */
  public Future<java.util.Set<Long>> dependents(long accountId, List<Long> ids) {
    return pool.preparedQuery(
            """
            SELECT id FROM activities
             WHERE account_id = $1 AND (id = ANY($2) OR parent_id = ANY($2))
               AND depends_on IS NOT NULL
            """)
        .execute(Tuple.tuple().addLong(accountId).addArrayOfLong(ids.toArray(Long[]::new)))
        .map(
            rows -> {
              java.util.Set<Long> found = new java.util.HashSet<>();
              rows.forEach(row -> found.add(row.getLong(0)));
              return found;
            });
  }

  /** The transition log of one activity of the account, oldest first. */
  public Future<List<ActivityEvent>> events(long accountId, long id) {
    // whether the activity is the account's: the children are not needed for that
    return find(accountId, id, 0)
        .compose(
            found ->
                pool.preparedQuery(
                        """
            SELECT id, from_status, to_status, at, actor, reason FROM activity_events
             WHERE activity_id = $1
            UNION ALL
            SELECT id, from_status, to_status, at, actor, reason FROM activity_events_archive
             WHERE activity_id = $1
            ORDER BY id
            """)
                    .execute(Tuple.of(id))
                    .map(
                        rows -> {
                          List<ActivityEvent> events = new ArrayList<>();
                          for (Row row : rows) {
                            events.add(
                                new ActivityEvent(
                                    row.getLong("id"),
                                    Optional.ofNullable(row.getString("from_status"))
                                        .map(Status::fromWire),
                                    Status.fromWire(row.getString("to_status")),
                                    row.getOffsetDateTime("at").toInstant(),
                                    row.getString("actor"),
                                    Optional.ofNullable(row.getString("reason"))));
                          }
                          return events;
                        }));
  }

  /**
   * Moves the named activities (a group stands for its children) to a state, each where the
   * lifecycle allows it, in one statement.
   *
   * @return one outcome per activity considered, and a not-found one per id the account lacks
   */
  public Future<List<TransitionOutcome>> transition(
      long accountId, List<Long> ids, Status to, String actor, String reason) {
    return transition(pool, accountId, ids, to, actor, reason);
  }

  /**
   * Like {@link #transition(long, List, Status, String, String)}, inside a caller's transaction.
   */
  public Future<List<TransitionOutcome>> transition(
      SqlClient client, long accountId, List<Long> ids, Status to, String actor, String reason) {
    return transition(client, Optional.of(accountId), ids, to, actor, reason, Optional.empty());
  }

  /**
   * Moves activities of any account (or only of {@code accountId}) by the table, inside a caller's
   * transaction, optionally writing a result text that says why.
   */
  public Future<List<TransitionOutcome>> transition(
      SqlClient client,
      Optional<Long> accountId,
      List<Long> ids,
      Status to,
      String actor,
      String reason,
      Optional<String> resultText) {
    return Transitions.move(client, accountId, ids, to, actor, reason, resultText, clock.instant());
  }

  /** An agent's report that an activity of its computer is partly done. */
  public record Progress(long computerId, long activityId, int percent) {}

  /**
   * Records the progress agents report on their computers' running activities, in one statement; a
   * report on another computer's activity, or one not running, changes nothing.
   */
  public static Future<Void> recordProgress(SqlClient conn, List<Progress> reports) {
    if (reports.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            """
            UPDATE activities a SET progress = r.percent
              FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS r(computer_id, id, percent)
             WHERE a.id = r.id AND a.computer_id = r.computer_id AND a.status = $4
            """)
        .execute(
            Tuple.tuple()
                .addArrayOfLong(reports.stream().map(Progress::computerId).toArray(Long[]::new))
                .addArrayOfLong(reports.stream().map(Progress::activityId).toArray(Long[]::new))
                .addArrayOfInteger(reports.stream().map(Progress::percent).toArray(Integer[]::new))
                .addString(Status.IN_PROGRESS.wireName()))
        .mapEmpty();
  }

  /**
   * Moves one activity, failing with 404 when it is not the account's and 409 when the table
   * forbids it.
   */
  public Future<TransitionOutcome> transitionOne(
      long accountId, long id, Status to, String actor, String reason) {
    return transition(accountId, List.of(id), to, actor, reason)
        .map(
            outcomes -> {
              TransitionOutcome outcome = outcomes.get(0);
              if (outcome.from().isEmpty()) {
                throw OutpostException.notFound(outcome.refusal());
              }
              if (!outcome.applied()) {
                throw OutpostException.conflict(outcome.refusal());
              }
              return outcome;
            });
  }

  static List<Activity> mapAll(RowSet<Row> rows) {
    List<Activity> activities = new ArrayList<>(rows.size());
    rows.forEach(row -> activities.add(map(row)));
    return activities;
  }

  /**
   * Maps a row whose first columns are {@link #COLUMNS}, by position: looking 26 columns up by name
   * was a tenth of a listing's time on the event loop.
   */
  static Activity map(Row row) {
    return map(row, (JsonObject) row.getValue(7));
  }

  /** Maps a row of {@link #COLUMNS} or {@link #CHILD_COLUMNS}, with the parameters given. */
  private static Activity map(Row row, JsonObject parameters) {
    return new Activity(
        row.getLong(0),
        Optional.ofNullable(row.getLong(1)),
        Optional.ofNullable(row.getLong(2)),
        Kind.fromWire(row.getString(3)),
        row.getString(4),
        Status.fromWire(row.getString(5)),
        row.getString(6),
        parameters,
        row.getString(8),
        row.getOffsetDateTime(9).toInstant(),
        instant(row, 10),
        instant(row, 11),
        instant(row, 12),
        Optional.ofNullable(row.getInteger(13)),
        Optional.ofNullable(row.getString(14)),
        Optional.ofNullable(row.getInteger(15)),
        new Activity.Conditions(
            instant(row, 17),
            Optional.ofNullable(row.getLong(18)),
            Optional.ofNullable(row.getInteger(19)),
            row.getBoolean(20),
            Optional.ofNullable(row.getInteger(21)),
            Optional.ofNullable(row.getInteger(22)),
            Optional.ofNullable(row.getInteger(23)),
            row.getInteger(24),
            Optional.ofNullable(row.getString(26))),
        Optional.ofNullable(row.getLong(16)),
        childrenByStatus((JsonObject) row.getValue(25)),
        List.of());
  }

  /** Every status with its count of children, in lifecycle order; empty for a non-group. */
  private static Map<Status, Long> childrenByStatus(JsonObject counts) {
    if (counts == null) {
      return Map.of();
    }
    Map<Status, Long> byStatus = new EnumMap<>(Status.class);
    for (Status status : Status.values()) {
      byStatus.put(status, counts.getLong(status.wireName(), 0L));
    }
    return Collections.unmodifiableMap(byStatus);
  }

  private static Optional<Instant> instant(Row row, int column) {
    return Optional.ofNullable(row.getOffsetDateTime(column)).map(OffsetDateTime::toInstant);
  }
}
