package dev.outpost.server.scheduler;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.StatusSql;
import dev.outpost.server.activity.TransitionOutcome;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sweeps that move activities by time and by other activities: due server activities, expiry,
 * dependencies, execution timeouts, stale results, group error thresholds.
 *
 * <p>Each sweep reads only rows that can move now, and takes them account by account in turn: every
 * account's first row, then every account's second, up to {@link #BATCH} in all, so an account with
 * a backlog moves at the pace of the others rather than ahead of them (the indexes of migration V14
 * are led by the account for this).
 *
 * <p>Each sweep selects its rows with {@code FOR UPDATE SKIP LOCKED} and moves them through {@link
 * ActivityStore#transition} in the same transaction, so any number of server instances can sweep
 * one database at once without moving a row twice, and the lifecycle table stays the only gate. The
 * selections name statuses as literals ({@link StatusSql}): each matches the partial index it
 * reads, which a parameter would not.
 */
public final class Scheduler {

  /** The most rows one sweep moves; the next pass takes the rest. */
  static final int BATCH = 500;

  /**
   * The running client activities of these accounts ($3) delivered by $1, oldest first, at most $2:
   * read through the index of running client activities by account and delivery.
   */
  static final String STALE =
      StatusSql.of(
          """
      SELECT id FROM activities
       WHERE account_id = ANY($3) AND status = {in-progress} AND kind = 'client'
         AND delivered_at <= $1
       ORDER BY delivered_at LIMIT $2
         FOR UPDATE SKIP LOCKED
      """);

  /**
   * The waiting activities that can move ($1 at most, each account's in turn) with their
   * dependency's status and progress. The distinct activities waited on are walked one index probe
   * each (a loose index scan of activities_waiting), and only the waiting of those that can release
   * them are read: a Blocked activity a thousand wait on costs one probe.
   */
  static final String DEPENDENCIES =
      StatusSql.of(
          """
      WITH RECURSIVE waited (id) AS (
        (SELECT depends_on FROM activities WHERE status = {waiting}
          ORDER BY depends_on LIMIT 1)
        UNION ALL
        SELECT (SELECT depends_on FROM activities
                 WHERE status = {waiting} AND depends_on > waited.id
                 ORDER BY depends_on LIMIT 1)
          FROM waited WHERE waited.id IS NOT NULL
      ), dependency AS MATERIALIZED (
        SELECT d.id, d.account_id, d.progress,
               COALESCE(d.status, group_status(d.id)) AS status
          FROM waited JOIN activities d ON d.id = waited.id
      ), releasing AS (
        -- $2: the statuses a dependency ends in; one still running may pass a threshold
        SELECT * FROM dependency WHERE status = ANY($2::text[]) OR progress IS NOT NULL
      )
      SELECT * FROM (
        SELECT w.*, d.status AS dependency_status, d.progress,
               row_number() OVER (PARTITION BY d.account_id ORDER BY w.id) AS turn
          FROM releasing d CROSS JOIN LATERAL (
            SELECT w.id, w.progress_threshold, w.run_on_dependency_failure
              FROM activities w
             WHERE w.depends_on = d.id AND w.status = {waiting}
               AND (d.status = ANY($2::text[])
                    OR (w.progress_threshold IS NOT NULL
                        AND d.progress >= w.progress_threshold))
             ORDER BY w.id LIMIT $1
               FOR UPDATE SKIP LOCKED) w) taken
       ORDER BY turn, id LIMIT $1
      """);

  /**
   * Undelivered activities past their {@code deliver_before}, each account's in turn: read through
   * the partial index of expiring activities, whose states the literals name.
   */
  private static final String EXPIRED =
      inTurn(
          """
          SELECT id, deliver_before AS position FROM activities
           WHERE account_id = ac.id AND deliver_before <= $1
             AND status IN ({queued}, {scheduled}, {waiting}, {blocked})
           ORDER BY deliver_before LIMIT $2
          """,
          "$2");

  /** Scheduled server activities whose time has come, each account's in turn. */
  private static final String DUE =
      inTurn(
          """
          SELECT id, deliver_after AS position FROM activities
           WHERE account_id = ac.id AND status = {scheduled} AND kind = 'server'
             AND deliver_after <= $1
           ORDER BY deliver_after LIMIT $2
          """,
          "$2");

  /**
   * Server activities running past their timeout ($2 when none is named), each account's in turn.
   */
  private static final String TIMED_OUT =
      inTurn(
          """
          SELECT id, delivered_at AS position FROM activities
           WHERE account_id = ac.id AND status = {in-progress} AND kind = 'server'
             AND delivered_at + make_interval(secs => COALESCE(timeout_seconds, $2)) <= $1
           ORDER BY delivered_at LIMIT $3
          """,
          "$3");

  /** The undelivered children of groups with more failed children than they tolerate. */
  private static final String OVER_THRESHOLD =
      StatusSql.of(
          """
      SELECT c.id FROM activities g JOIN activities c ON c.parent_id = g.id
       WHERE g.max_errors IS NOT NULL
         AND c.status IN ({queued}, {scheduled}, {waiting}, {blocked})
         AND (SELECT count(*) FROM activities f
               WHERE f.parent_id = g.id AND f.status = {failed}) > g.max_errors
       ORDER BY c.id LIMIT $1
         FOR UPDATE OF c SKIP LOCKED
      """);

  /**
   * Nudges the computers of Scheduled client activities whose time came in ($1, $2]: nothing moves
   * them (they are delivered as they are), so no write nudges their agents (migration V16).
   */
  private static final String TIME_COME =
      StatusSql.of(
          """
      SELECT nudge_computers(ARRAY(
        SELECT computer_id FROM activities
         WHERE status = {scheduled} AND kind = 'client'
           AND deliver_after > $1 AND deliver_after <= $2))
      """);

  private static final String ACTOR = "scheduler";
  private static final String[] DEPENDENCY_ENDS =
      StatusSql.names(List.of(Status.SUCCEEDED, Status.FAILED, Status.CANCELED));

  private final Pool pool;
  private final ActivityStore activities;
  private final Clock clock;
  private final Duration defaultJobTimeout;
  private final Duration resultDeadline;

  /** Until when Scheduled client activities' computers were nudged; touched by sweeps only. */
  private Instant nudgedUntil;

  /** Creates the scheduler over the store that does its moving. */
  public Scheduler(
      Pool pool,
      ActivityStore activities,
      Clock clock,
      Duration defaultJobTimeout,
      Duration resultDeadline) {
    this.pool = pool;
    this.activities = activities;
    this.clock = clock;
    this.defaultJobTimeout = defaultJobTimeout;
    this.resultDeadline = resultDeadline;
    this.nudgedUntil = clock.instant();
  }

  /** Runs every sweep once, in order; the result counts what moved. */
  public Future<Integer> sweep() {
    Instant now = clock.instant();
    return expire(now)
        .compose(expired -> due(now).map(due -> expired + due))
        .compose(moved -> dependencies().map(released -> moved + released))
        .compose(moved -> timeouts(now).map(timedOut -> moved + timedOut))
        .compose(moved -> staleResults(now).map(stale -> moved + stale))
        .compose(moved -> errorThresholds().map(canceled -> moved + canceled))
        .compose(moved -> nudgeTimeCome(now).map(moved));
  }

  /**
   * Nudges the agents of Scheduled client activities whose time came since the last sweep (since
   * this scheduler was made, the first time: agents hear of what came due before when they ping).
   */
  Future<Void> nudgeTimeCome(Instant now) {
    if (!now.isAfter(nudgedUntil)) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(TIME_COME)
        .execute(Tuple.of(at(nudgedUntil), at(now)))
        .onSuccess(done -> nudgedUntil = now)
        .mapEmpty();
  }

  /** Undelivered activities past their {@code deliver_before} end Canceled, as expired. */
  Future<Integer> expire(Instant now) {
    return pool.withTransaction(
        conn ->
            ids(conn, EXPIRED, Tuple.of(at(now), BATCH))
                .compose(
                    ids ->
                        move(
                            conn,
                            ids,
                            Status.CANCELED,
                            "expired",
                            "expired: not delivered before its deliver_before time")));
  }

  /**
   * Scheduled server activities whose time has come go to the queue (client ones wait for their
   * exchange).
   */
  Future<Integer> due(Instant now) {
    return pool.withTransaction(
        conn ->
            ids(conn, DUE, Tuple.of(at(now), BATCH))
                .compose(ids -> move(conn, ids, Status.QUEUED, "due", null)));
  }

  /**
   * Waiting activities whose dependency succeeded or reached the threshold are released; those
   * whose dependency failed or was canceled are canceled, or released when told to run anyway. The
   * sweep reads the dependencies, not the waiting: it walks the distinct activities waited on (one
   * index probe each, however many wait on one), and reads the waiting activities of those that can
   * release them. So a thousand activities waiting on one Blocked activity cost one probe, and
   * never stand in the way of others.
   */
  Future<Integer> dependencies() {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(DEPENDENCIES)
                .execute(Tuple.tuple().addInteger(BATCH).addArrayOfString(DEPENDENCY_ENDS))
                .compose(
                    rows -> {
                      List<Long> release = new ArrayList<>();
                      List<Long> cancel = new ArrayList<>();
                      for (Row row : rows) {
                        // a group without children has no status: nothing it could release
                        String named = row.getString("dependency_status");
                        Status status = named == null ? null : Status.fromWire(named);
                        boolean failed = status == Status.FAILED || status == Status.CANCELED;
                        Integer threshold = row.getInteger("progress_threshold");
                        Integer progress = row.getInteger("progress");
                        boolean reached =
                            threshold != null && progress != null && progress >= threshold;
                        if (status == Status.SUCCEEDED
                            || reached
                            || (failed && row.getBoolean("run_on_dependency_failure"))) {
                          release.add(row.getLong("id"));
                        } else if (failed) {
                          cancel.add(row.getLong("id"));
                        }
                      }
                      return move(conn, release, Status.QUEUED, "dependency met", null)
                          .compose(
                              released ->
                                  move(
                                          conn,
                                          cancel,
                                          Status.CANCELED,
                                          "dependency failed",
                                          "canceled: the activity it depends on failed or was canceled")
                                      .map(canceled -> released + canceled));
                    }));
  }

  /** Server activities running longer than their timeout end Failed; their handler is told. */
  Future<Integer> timeouts(Instant now) {
    return pool.withTransaction(
        conn ->
            ids(conn, TIMED_OUT, Tuple.of(at(now), defaultJobTimeout.toSeconds(), BATCH))
                .compose(
                    ids ->
                        move(
                            conn,
                            ids,
                            Status.FAILED,
                            "timeout",
                            "timeout: still running when its execution timeout ran out")));
  }

  /**
   * Delivered client activities with no result past the deadline fail, in the accounts that say so.
   * Those accounts are looked up first, and with none the sweep reads no activity. An account that
   * keeps stale activities may hold hundreds of thousands (agents gone for good): {@link #STALE}
   * reads the failing accounts' own through an index led by the account, so the others' cost
   * nothing (read by delivery alone, every sweep walked them all).
   */
  Future<Integer> staleResults(Instant now) {
    return pool.query("SELECT id FROM accounts WHERE fail_stale_results")
        .execute()
        .compose(
            accounts ->
                accounts.size() == 0 ? Future.succeededFuture(0) : failStale(ids(accounts), now));
  }

  private Future<Integer> failStale(List<Long> accounts, Instant now) {
    return pool.withTransaction(
        conn ->
            ids(
                    conn,
                    STALE,
                    Tuple.of(at(now.minus(resultDeadline)), BATCH, accounts.toArray(Long[]::new)))
                .compose(
                    ids ->
                        move(
                            conn,
                            ids,
                            Status.FAILED,
                            "no-result",
                            "no-result: the agent sent no result within "
                                + resultDeadline.toSeconds()
                                + " s")));
  }

  /**
   * Once a group has more failed children than it tolerates, its undelivered children are canceled.
   */
  Future<Integer> errorThresholds() {
    return pool.withTransaction(
        conn ->
            ids(conn, OVER_THRESHOLD, Tuple.of(BATCH))
                .compose(
                    ids ->
                        move(
                            conn,
                            ids,
                            Status.CANCELED,
                            "error-threshold",
                            "error-threshold: too many activities of its group failed")));
  }

  private Future<Integer> move(
      SqlConnection conn, List<Long> ids, Status to, String reason, String resultText) {
    return activities
        .transition(conn, Optional.empty(), ids, to, ACTOR, reason, Optional.ofNullable(resultText))
        .map(outcomes -> (int) outcomes.stream().filter(TransitionOutcome::applied).count());
  }

  static Future<List<Long>> ids(SqlConnection conn, String sql, Tuple params) {
    return conn.preparedQuery(sql).execute(params).map(Scheduler::ids);
  }

  private static List<Long> ids(RowSet<Row> rows) {
    List<Long> ids = new ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getLong(0)));
    return ids;
  }

  static java.time.OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /**
   * The rows {@code perAccount} selects for each account {@code ac} (its id and position, locked,
   * at most {@code limit}), taken in turn: every account's first row, then every account's second,
   * {@code limit} in all. An account with a backlog moves at the others' pace, not before them.
   */
  static String inTurn(String perAccount, String limit) {
    return StatusSql.of(
        """
        SELECT id FROM (
          SELECT t.id, row_number() OVER (PARTITION BY ac.id ORDER BY t.position) AS turn
            FROM accounts ac CROSS JOIN LATERAL (%s  FOR UPDATE SKIP LOCKED) t) taken
         ORDER BY turn, id LIMIT %s
        """
            .formatted(perAccount, limit));
  }
}
