package dev.outpost.server.jobs;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.JobEnd;
import dev.outpost.server.activity.JobTransitions;
import dev.outpost.server.activity.StatusSql;
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
 * renewals and terminal writes take many jobs per statement: a job-handler gathers them. The
 * statements that change a status (the claim, the outcomes, the sweep) are {@link JobTransitions}'.
 */
public final class JobStore {

  /**
   * Extends the leases of the jobs the caller still owns ($1 ids with their $2 attempts); a
   * canceled or taken-over job is missing from the answer. The ids reach the rows through the join
   * alone, so the plan looks each one up by key rather than pairing every id with every row.
   */
  private static final String RENEW =
      """
      WITH target AS (
        SELECT a.id FROM unnest($1::bigint[], $2::int[]) AS j (id, attempt)
          JOIN activities a ON a.id = j.id AND a.attempt = j.attempt
         WHERE a.lease_owner = $3 AND a.status = $5   -- $5: In Progress
         ORDER BY a.id
           FOR UPDATE OF a
      )
      UPDATE activities a SET lease_until = $4
        FROM target t
       WHERE a.id = t.id
      RETURNING a.id
      """;

  /**
   * Releases the expired leases of jobs with attempts left ($2 is the most) and publishes the
   * activities again, to be claimed by anyone: they stay In Progress, which a claim takes when no
   * one holds the lease. Each one's published outbox row gives way to a new one waiting, so its
   * account's room in the job queue counts it once. The literal matches the partial index of
   * expired leases.
   */
  private static final String RETRY =
      StatusSql.of(
          """
      WITH expired AS (
        SELECT id FROM activities
         WHERE kind = 'server' AND status = {in-progress} AND lease_until < $1 AND attempt < $2
         ORDER BY lease_until
         LIMIT 100
           FOR UPDATE SKIP LOCKED
      ), released AS (
        UPDATE activities a
           SET lease_owner = NULL, lease_until = $3
          FROM expired e
         WHERE a.id = e.id
        RETURNING a.id, a.account_id
      ), unpublished AS (
        DELETE FROM outbox o USING released r WHERE o.activity_id = r.id
      ), published AS (
        INSERT INTO outbox (activity_id, account_id, created_at)
        SELECT id, account_id, $1 FROM released
      )
      SELECT id FROM released
      """);

  private final Pool pool;

  /** Creates the store over the shared pool. */
  public JobStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Claims the named activities for this owner in one statement.
   *
   * @return the jobs claimed; an id missing from it is not (or no longer) runnable
   */
  public Future<List<Job>> claim(
      List<Long> activityIds, String owner, Instant now, Duration lease) {
    return JobTransitions.claim(pool, activityIds, owner, now, now.plus(lease))
        .map(
            rows -> {
              List<Job> jobs = new ArrayList<>(rows.size());
              for (Row row : rows) {
                jobs.add(
                    new Job(
                        row.getLong("id"),
                        row.getLong("account_id"),
                        Optional.ofNullable(row.getLong("computer_id")),
                        row.getString("type"),
                        (JsonObject) row.getValue("parameters"),
                        owner,
                        row.getInteger("attempt")));
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
        .execute(Tuple.of(ids, attempts, owner, at(until), Status.IN_PROGRESS.wireName()))
        .map(JobStore::ids);
  }

  /** Records progress (0–100) while the job is still this owner's. */
  public Future<Boolean> progress(Job job, int percent) {
    return pool.preparedQuery(
            """
            UPDATE activities SET progress = $4
             WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = $5
            """)
        .execute(
            Tuple.of(
                job.activityId(),
                job.owner(),
                job.attempt(),
                percent,
                Status.IN_PROGRESS.wireName()))
        .map(rows -> rows.rowCount() == 1);
  }

  /** How a job ended: Succeeded or Failed, with its result text. */
  public record Outcome(Job job, Status status, String resultText) {}

  /**
   * Ends the jobs of one owner Succeeded or Failed in one statement.
   *
   * @return the ids written; the others were canceled or taken over meanwhile
   */
  public Future<Set<Long>> finish(List<Outcome> outcomes, String owner, Instant now) {
    return JobTransitions.finish(
        pool,
        outcomes.stream()
            .map(
                outcome ->
                    new JobEnd(
                        outcome.job().activityId(),
                        outcome.job().attempt(),
                        outcome.status(),
                        outcome.resultText(),
                        outcome.status() == Status.SUCCEEDED ? "done" : "handler failed"))
            .toList(),
        owner,
        now);
  }

  /**
   * Deals with jobs whose lease expired: fails those out of attempts, releases and republishes the
   * rest. Safe to run from any number of instances at once.
   *
   * @return the ids republished
   */
  public Future<Set<Long>> sweepExpired(Instant now, int maxAttempts, Duration lease) {
    return JobTransitions.giveUp(pool, now, maxAttempts)
        .compose(
            failed ->
                pool.preparedQuery(RETRY)
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
