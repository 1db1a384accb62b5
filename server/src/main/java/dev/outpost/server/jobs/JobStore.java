package dev.outpost.server.jobs;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The job-handler's SQL: claims, leases, progress, terminal writes and the lease sweep. */
public final class JobStore {

  /**
   * Claims an activity the queue message names: a Queued one, an In Progress one whose lease the
   * sweep released, or one this owner claimed in a transaction whose answer was lost (the caller
   * knows it is not running it). Anything else (canceled, finished, claimed) yields nothing.
   */
  private static final String CLAIM = """
      WITH target AS (
        SELECT id, status FROM activities
         WHERE id = $1 AND kind = 'server'
           AND (status = 'queued'
                OR (status = 'in-progress' AND (lease_owner IS NULL OR lease_owner = $2)))
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

  /** Ends a job the caller still owns; a canceled activity or a lost lease makes it a no-op. */
  private static final String FINISH = """
      WITH moved AS (
        UPDATE activities
           SET status = $4, result_text = $5, completed_at = $6,
               progress = CASE WHEN $4 = 'succeeded' THEN 100 ELSE progress END,
               lease_owner = NULL, lease_until = NULL, version = version + 1
         WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'in-progress'
        RETURNING id
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, 'in-progress', $4, $6, $2, $7 FROM moved
      )
      SELECT count(*) FROM moved
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

  /** Claims the activity for this owner, or nothing when it is not (or no longer) runnable. */
  public Future<Optional<Job>> claim(long activityId, String owner, Instant now, Duration lease) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(activityId, owner, at(now), at(now.plus(lease))))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.<Job>empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Job(row.getLong("id"), row.getLong("account_id"),
              Optional.ofNullable(row.getLong("computer_id")), row.getString("type"),
              (JsonObject) row.getValue("parameters"), owner, row.getInteger("attempt")));
        });
  }

  /** Extends the lease; false when the job is no longer this owner's to run (canceled, taken over). */
  public Future<Boolean> renew(Job job, Instant until) {
    return pool.preparedQuery("""
            UPDATE activities SET lease_until = $4
             WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'in-progress'
            """)
        .execute(Tuple.of(job.activityId(), job.owner(), job.attempt(), at(until)))
        .map(rows -> rows.rowCount() == 1);
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

  /** Ends the job Succeeded or Failed; false when it was canceled or taken over meanwhile. */
  public Future<Boolean> finish(Job job, Status status, String resultText, Instant now) {
    return pool.preparedQuery(FINISH)
        .execute(Tuple.of(job.activityId(), job.owner(), job.attempt(), status.wireName(),
            resultText, at(now), status == Status.SUCCEEDED ? "done" : "handler failed"))
        .map(rows -> rows.iterator().next().getLong(0) == 1);
  }

  /**
   * Deals with jobs whose lease expired: fails those out of attempts, releases and republishes
   * the rest. Safe to run from any number of instances at once.
   *
   * @return the ids republished
   */
  public Future<List<Long>> sweepExpired(Instant now, int maxAttempts, Duration lease) {
    return pool.preparedQuery(GIVE_UP).execute(Tuple.of(at(now), maxAttempts))
        .compose(failed -> pool.preparedQuery(RETRY)
            .execute(Tuple.of(at(now), maxAttempts, at(now.plus(lease)))))
        .map(rows -> {
          List<Long> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getLong(0)));
          return ids;
        });
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
