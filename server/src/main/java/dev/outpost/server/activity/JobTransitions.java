package dev.outpost.server.activity;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The job-handler's status writes, beside {@link Transitions} and under the same rules: claims,
 * outcomes and giving up, each batched, only from the states {@link Lifecycle} allows (passed as
 * {@code text[]} parameters), each move logged in the same statement, and every write guarded by
 * the job's {@code (lease_owner, attempt)} as well as by its state.
 */
public final class JobTransitions {

  /** The states a job is claimed from: those published to the job queue. */
  private static final Set<Status> CLAIMED_FROM = EnumSet.of(Status.QUEUED);

  private static final String[] CLAIMED_FROM_NAMES = StatusSql.names(CLAIMED_FROM);

  /** The states a job may end in Succeeded or Failed from. */
  private static final String[] FINISH_SOURCES = StatusSql.names(Transitions.both(Kind.SERVER));

  /** The states a job whose lease ran out is given up from. */
  private static final String[] GIVEN_UP_FROM =
      StatusSql.names(Lifecycle.sources(Kind.SERVER, Status.FAILED));

  /**
   * Claims for owner $2 the server activities $1 names that are in a state of $5 (Queued), or In
   * Progress ($6) with a lease the sweep released or that $2 claimed in a transaction whose answer
   * was lost (the caller knows it is not running them); anything else is missing from the answer.
   * Rows are locked in id order, as every multi-row move does, so concurrent writers wait for each
   * other instead of deadlocking. The UPDATE reaches each locked row by its key and names no ids of
   * its own: with {@code a.id = ANY($1)} as well, the generic plan probed the index for every id
   * once per locked row, 65,536 probes for a batch of 256. Public for the test of that plan.
   */
  public static final String CLAIM =
      """
      WITH target AS (
        SELECT id, status FROM activities
         WHERE id = ANY($1) AND kind = 'server'
           AND (status = ANY($5::text[])
                OR (status = $6 AND (lease_owner IS NULL OR lease_owner = $2)))
         ORDER BY id
           FOR UPDATE
      ), claimed AS (
        UPDATE activities a
           SET status = $6, lease_owner = $2, lease_until = $4,
               attempt = a.attempt + 1, delivered_at = COALESCE(a.delivered_at, $3)
          FROM target t
         WHERE a.id = t.id
        RETURNING a.id, a.account_id, a.computer_id, a.type, a.parameters, a.attempt,
                  t.status AS from_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, $6, $3, $2, 'claimed' FROM claimed WHERE from_status <> $6
      )
      SELECT * FROM claimed
      """;

  /**
   * Ends the jobs owner $6 still holds at their attempt, each with its own status, result text and
   * log reason ($1 to $5, one array element per job), from a state of $8; a canceled activity or a
   * lost lease leaves that one alone, missing from the answer. Like the claim, the ids reach the
   * rows through the join alone.
   */
  private static final String FINISH =
      """
      WITH target AS (
        SELECT a.id, a.status AS from_status, o.status, o.result_text, o.reason
          FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[])
                 AS o (id, attempt, status, result_text, reason)
          JOIN activities a ON a.id = o.id AND a.attempt = o.attempt
         WHERE a.lease_owner = $6 AND a.status = ANY($8::text[])
         ORDER BY a.id
           FOR UPDATE OF a
      ), moved AS (
        UPDATE activities a
           SET status = t.status, result_text = t.result_text, completed_at = $7,
               -- $9: Succeeded, which completes the progress
               progress = CASE WHEN t.status = $9 THEN 100 ELSE a.progress END,
               lease_owner = NULL, lease_until = NULL
          FROM target t
         WHERE a.id = t.id
        RETURNING a.id, t.from_status, t.status, t.reason
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, status, $7, $6, reason FROM moved
      )
      SELECT id FROM moved
      """;

  /**
   * Fails ($3) the running jobs whose lease expired before $1 and that used up their $2 attempts,
   * from a state of $4. The literal matches the partial index of expired leases.
   */
  private static final String GIVE_UP =
      StatusSql.of(
          """
      WITH expired AS (
        SELECT id, status FROM activities
         WHERE kind = 'server' AND status = {in-progress} AND lease_until < $1 AND attempt >= $2
         ORDER BY lease_until
         LIMIT 100
           FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE activities a
           SET status = $3, completed_at = $1, lease_owner = NULL, lease_until = NULL,
               result_text = 'gave up after ' || a.attempt
                 || ' attempts: the job-handler running it stopped renewing its lease'
          FROM expired e
         WHERE a.id = e.id AND e.status = ANY($4::text[])
        RETURNING a.id, e.status AS from_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, $3, $1, 'job-handler', 'attempts exhausted' FROM moved
      )
      SELECT id FROM moved
      """);

  static {
    if (!Lifecycle.sources(Kind.SERVER, Status.IN_PROGRESS).containsAll(CLAIMED_FROM)) {
      throw new IllegalStateException("the lifecycle no longer lets a job be claimed");
    }
  }

  private JobTransitions() {}

  /**
   * Claims the named server activities for {@code owner} in one statement, under a lease until
   * {@code leaseUntil}.
   *
   * @return the rows claimed: id, account_id, computer_id, type, parameters, attempt
   */
  public static Future<RowSet<Row>> claim(
      SqlClient conn, List<Long> activityIds, String owner, Instant now, Instant leaseUntil) {
    return conn.preparedQuery(CLAIM)
        .execute(
            Tuple.of(activityIds.toArray(Long[]::new), owner, at(now), at(leaseUntil))
                .addArrayOfString(CLAIMED_FROM_NAMES)
                .addString(Status.IN_PROGRESS.wireName()));
  }

  /**
   * Ends the jobs {@code owner} still holds at their attempts, in one statement.
   *
   * @return the ids written; the others were canceled or taken over meanwhile
   */
  public static Future<Set<Long>> finish(
      SqlClient conn, List<JobEnd> ends, String owner, Instant now) {
    return conn.preparedQuery(FINISH)
        .execute(
            Tuple.of(
                    ends.stream().map(JobEnd::activityId).toArray(Long[]::new),
                    ends.stream().map(JobEnd::attempt).toArray(Integer[]::new),
                    ends.stream().map(e -> e.status().wireName()).toArray(String[]::new),
                    ends.stream().map(JobEnd::resultText).toArray(String[]::new),
                    ends.stream().map(JobEnd::reason).toArray(String[]::new),
                    owner)
                .addOffsetDateTime(at(now))
                .addArrayOfString(FINISH_SOURCES)
                .addString(Status.SUCCEEDED.wireName()))
        .map(JobTransitions::ids);
  }

  /**
   * Fails the running jobs whose lease expired and that used up their attempts, at most 100. Safe
   * to run from any number of instances at once.
   */
  public static Future<Void> giveUp(SqlClient conn, Instant now, int maxAttempts) {
    return conn.preparedQuery(GIVE_UP)
        .execute(Tuple.of(at(now), maxAttempts, Status.FAILED.wireName(), GIVEN_UP_FROM))
        .mapEmpty();
  }

  private static Set<Long> ids(RowSet<Row> rows) {
    Set<Long> ids = new HashSet<>(rows.size() * 2);
    rows.forEach(row -> ids.add(row.getLong(0)));
    return ids;
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
