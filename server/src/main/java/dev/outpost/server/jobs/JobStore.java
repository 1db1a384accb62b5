package dev.outpost.server.jobs;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The job-handler's SQL: claims, leases, progress, terminal writes and the lease sweep. Claims,
 * renewals and terminal writes take many jobs per statement: a job-handler gathers them.
 */
public final class JobStore {

  /**
   * Claims the activities queue messages name: the Queued ones, the In Progress ones whose lease
   * the sweep released, and ones this owner claimed in a transaction whose answer was lost (the
   * caller knows it is not running them). Anything else (canceled, finished, claimed by another)
   * is left alone and missing from the answer. Rows are locked in id order, as every multi-row
   * transition does, so concurrent writers wait for each other instead of deadlocking. The UPDATE
   * reaches each locked row by its key ({@code a.id = t.id}) and names no ids of its own: with
   * {@code a.id = ANY($1)} as well, the generic plan probed the index for every id once per
   * locked row, 65,536 probes for a batch of 256 (97 ms against 15 ms).
   */
  static final String CLAIM = """
      WITH target AS (
        SELECT id, status FROM activities
         WHERE id = ANY($1) AND kind = 'server'
           AND (status = 'queued'
                OR (status = 'in-progress' AND (lease_owner IS NULL OR lease_owner = $2)))
         ORDER BY id
           FOR UPDATE
      ), claimed AS (
        UPDATE activities a
           SET status = 'in-progress', lease_owner = $2, lease_until = $4,
               attempt = a.attempt + 1, delivered_at = COALESCE(a.delivered_at, $3),
               version = a.version + 1
          FROM target t
         WHERE a.id = t.id
        RETURNING a.id, a.account_id, a.computer_id, a.type, a.parameters, a.attempt,
                  t.status AS from_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, 'in-progress', $3, $2, 'claimed'
          FROM claimed WHERE from_status <> 'in-progress'
      )
      SELECT * FROM claimed
      """;

  /**
   * Extends the leases of the jobs the caller still owns ($1 ids with their $2 attempts); a
   * canceled or taken-over job is missing from the answer. The ids reach the rows through the
   * join alone, so the plan looks each one up by key rather than pairing every id with every row.
   */
  private static final String RENEW = """
      WITH target AS (
        SELECT a.id FROM unnest($1::bigint[], $2::int[]) AS j (id, attempt)
          JOIN activities a ON a.id = j.id AND a.attempt = j.attempt
         WHERE a.lease_owner = $3 AND a.status = 'in-progress'
         ORDER BY a.id
           FOR UPDATE OF a
      )
      UPDATE activities a SET lease_until = $4
        FROM target t
       WHERE a.id = t.id
      RETURNING a.id
      """;

  /**
   * Ends the jobs the caller still owns, each with its own status, result text and log reason
   * ($1 to $5, one array element per job); a canceled activity or a lost lease leaves that one
   * alone, missing from the answer. Like the renewal, the ids reach the rows through the join.
   */
  private static final String FINISH = """
      WITH target AS (
        SELECT a.id, o.status, o.result_text, o.reason
          FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[])
                 AS o (id, attempt, status, result_text, reason)
          JOIN activities a ON a.id = o.id AND a.attempt = o.attempt
         WHERE a.lease_owner = $6 AND a.status = 'in-progress'
         ORDER BY a.id
           FOR UPDATE OF a
      ), moved AS (
        UPDATE activities a
           SET status = t.status, result_text = t.result_text, completed_at = $7,
               progress = CASE WHEN t.status = 'succeeded' THEN 100 ELSE a.progress END,
               lease_owner = NULL, lease_until = NULL, version = a.version + 1
          FROM target t
         WHERE a.id = t.id
        RETURNING a.id, t.status, t.reason
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, 'in-progress', status, $7, $6, reason FROM moved
      )
      SELECT id FROM moved
      """;

  /** Fails the expired jobs that used up their attempts. */
  private static final String GIVE_UP = """
      WITH expired AS (
        SELECT id FROM activities
         WHERE kind = 'server' AND status = 'in-progress' AND lease_until < $1 AND attempt >= $2
         ORDER BY lease_until
         LIMIT 100
           FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE activities a
           SET status = 'failed', completed_at = $1, lease_owner = NULL, lease_until = NULL,
               result_text = 'gave up after ' || a.attempt
                 || ' attempts: the job-handler running it stopped renewing its lease',
               version = a.version + 1
          FROM expired e
         WHERE a.id = e.id
        RETURNING a.id
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, 'in-progress', 'failed', $1, 'job-handler', 'attempts exhausted' FROM moved
      )
      SELECT id FROM moved
      """;

  /** Releases expired leases and publishes the activities again, to be claimed by anyone. */
  private static final String RETRY = """
      WITH expired AS (
        SELECT id FROM activities
         WHERE kind = 'server' AND status = 'in-progress' AND lease_until < $1 AND attempt < $2
         ORDER BY lease_until
         LIMIT 100
           FOR UPDATE SKIP LOCKED
      ), released AS (
        UPDATE activities a
           SET lease_owner = NULL, lease_until = $3, version = a.version + 1
          FROM expired e
         WHERE a.id = e.id
        RETURNING a.id
      ), published AS (
        INSERT INTO outbox (activity_id, created_at) SELECT id, $1 FROM released
      )
      SELECT id FROM released
      """;

  private final Pool pool;

  /** Creates the store over the shared pool. */
  public JobStore(Pool pool) {
    this.pool = pool;
    // The claim and the terminal writes name the states the table allows; keep them in step.
    if (!Lifecycle.allows(Kind.SERVER, Status.QUEUED, Status.IN_PROGRESS)
        || !Lifecycle.allows(Kind.SERVER, Status.IN_PROGRESS, Status.SUCCEEDED)
        || !Lifecycle.allows(Kind.SERVER, Status.IN_PROGRESS, Status.FAILED)) {
      throw new IllegalStateException("the lifecycle table no longer allows the job transitions");
    }
  }

  /**
   * Claims the named activities for this owner in one statement.
   *
   * @return the jobs claimed; an id missing from it is not (or no longer) runnable
   */
  public Future<List<Job>> claim(List<Long> activityIds, String owner, Instant now,
      Duration lease) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(activityIds.toArray(Long[]::new), owner, at(now), at(now.plus(lease))))
        .map(rows -> {
          List<Job> jobs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            jobs.add(new Job(row.getLong("id"), row.getLong("account_id"),
                Optional.ofNullable(row.getLong("computer_id")), row.getString("type"),
                (JsonObject) row.getValue("parameters"), owner, row.getInteger("attempt")));
          }
          return jobs;
        });
  }

  /**
   * Extends the leases of the given jobs of one owner in one statement.
   *
   * @return the ids of the jobs still this owner's to run; the others were canceled or taken over
   */
  public Future<Set<Long>> renew(List<Job> jobs, String owner, Instant until) {
    Long[] ids = new Long[jobs.size()];
    Integer[] attempts = new Integer[jobs.size()];
    for (int i = 0; i < jobs.size(); i++) {
      ids[i] = jobs.get(i).activityId();
      attempts[i] = jobs.get(i).attempt();
    }
    return pool.preparedQuery(RENEW)
        .execute(Tuple.of(ids, attempts, owner, at(until)))
        .map(JobStore::ids);
  }

  /** Records progress (0–100) while the job is still this owner's. */
  public Future<Boolean> progress(Job job, int percent) {
    return pool.preparedQuery("""
            UPDATE activities SET progress = $4
             WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'in-progress'
            """)
        .execute(Tuple.of(job.activityId(), job.owner(), job.attempt(), percent))
        .map(rows -> rows.rowCount() == 1);
  }

  /** How a job ended: Succeeded or Failed, with its result text. */
  public record Outcome(Job job, Status status, String resultText) {
  }

  /**
   * Ends the jobs of one owner Succeeded or Failed in one statement.
   *
   * @return the ids written; the others were canceled or taken over meanwhile
   */
  public Future<Set<Long>> finish(List<Outcome> outcomes, String owner, Instant now) {
    int n = outcomes.size();
    Long[] ids = new Long[n];
    Integer[] attempts = new Integer[n];
    String[] statuses = new String[n];
    String[] texts = new String[n];
    String[] reasons = new String[n];
    for (int i = 0; i < n; i++) {
      Outcome outcome = outcomes.get(i);
      ids[i] = outcome.job().activityId();
      attempts[i] = outcome.job().attempt();
      statuses[i] = outcome.status().wireName();
      texts[i] = outcome.resultText();
      reasons[i] = outcome.status() == Status.SUCCEEDED ? "done" : "handler failed";
    }
    return pool.preparedQuery(FINISH)
        .execute(Tuple.of(ids, attempts, statuses, texts, reasons, owner, at(now)))
        .map(JobStore::ids);
  }

  /**
   * Deals with jobs whose lease expired: fails those out of attempts, releases and republishes
   * the rest. Safe to run from any number of instances at once.
   *
   * @return the ids republished
   */
  public Future<Set<Long>> sweepExpired(Instant now, int maxAttempts, Duration lease) {
    return pool.preparedQuery(GIVE_UP).execute(Tuple.of(at(now), maxAttempts))
        .compose(failed -> pool.preparedQuery(RETRY)
            .execute(Tuple.of(at(now), maxAttempts, at(now.plus(lease)))))
        .map(JobStore::ids);
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
