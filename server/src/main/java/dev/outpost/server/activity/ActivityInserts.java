package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.SecretParameters;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place activities are created: one per target, several under an {@code ActivityGroup}
 * parent, each with its creation event, and server activities that start Queued with their outbox
 * row, all in one transaction.
 */
public final class ActivityInserts {

  /**
   * One activity to create: on a computer (none for a server activity), perhaps redoing another.
   */
  public record Target(Optional<Long> computerId, Optional<Long> redoes) {}

  /**
   * What to create.
   *
   * @param request the type's parameters and the conditions (deadlines, dependency, limits)
   * @param targets one activity each; several make a group
   * @param groupRedoes for a group made by reapply, the activity it redoes
   */
  public record Creation(
      long accountId,
      String creator,
      ActivityType type,
      Status start,
      String summary,
      NewActivity request,
      List<Target> targets,
      Optional<Long> groupRedoes) {}

  private static final String INSERT_CHILDREN =
      """
      WITH created AS (
        INSERT INTO activities (account_id, parent_id, computer_id, kind, type, status, summary,
                                parameters, creator, created_at, deliver_after, deliver_before,
                                depends_on, progress_threshold, run_on_dependency_failure,
                                timeout_seconds, reapplied_from, target_query)
        SELECT $1, $2, t.computer_id, $3, $4, $5, $6, $7, $8, $9,
               -- $12: a delay window in minutes, from which each child draws its own
               CASE WHEN $12 > 0
                    THEN COALESCE($10::timestamptz, $9::timestamptz)
                         + random() * $12 * interval '1 minute'
                    ELSE $10 END,
               $13, $14, $15, $16, $17, t.redoes,
               -- $20: the query targeted, kept on the group when there is one
               CASE WHEN $2::bigint IS NULL THEN $20 END
          FROM unnest($11::bigint[], $18::bigint[]) AS t (computer_id, redoes)
        RETURNING id, kind, status, created_at, reapplied_from
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, NULL, status, created_at, $8,
               CASE WHEN reapplied_from IS NULL THEN 'created'
                    ELSE 'reapplied from activity ' || reapplied_from END
          FROM created
      ), published AS (
        -- a server activity that starts Queued ($19) goes to the job queue through the outbox
        INSERT INTO outbox (activity_id, account_id, created_at)
        SELECT id, $1, created_at FROM created WHERE kind = 'server' AND status = $19
      )
      SELECT min(id) FROM created
      """;

  private final Pool pool;
  private final Clock clock;

  /** Creates the inserts over the shared pool, reading time from the clock. */
  public ActivityInserts(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Creates the activities after checking that their computers are the account's and still
   * registered.
   *
   * @param missing the failure for computers that are not (their ids)
   * @return the id of the single activity or of the group
   */
  public Future<Long> insert(Creation creation, Function<List<Long>, OutpostException> missing) {
    return pool.withTransaction(conn -> insert(conn, creation, missing));
  }

  /** As {@link #insert(Creation, Function)}, in the transaction {@code conn} is in. */
  public Future<Long> insert(
      SqlConnection conn, Creation creation, Function<List<Long>, OutpostException> missing) {
    OffsetDateTime now = at(clock.instant());
    return checkComputers(conn, creation, missing)
        .compose(ok -> insertGroup(conn, creation, now))
        .compose(groupId -> insertChildren(conn, creation, now, groupId));
  }

  private static Future<Void> checkComputers(
      SqlClient conn, Creation creation, Function<List<Long>, OutpostException> missing) {
    Long[] ids =
        creation.targets().stream()
            .flatMap(target -> target.computerId().stream())
            .toArray(Long[]::new);
    if (ids.length == 0) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            """
            SELECT id FROM computers
             WHERE account_id = $1 AND id = ANY($2) AND removed_at IS NULL
            """)
        .execute(Tuple.tuple().addLong(creation.accountId()).addArrayOfLong(ids))
        .map(
            rows -> {
              Set<Long> known = new HashSet<>();
              rows.forEach(row -> known.add(row.getLong(0)));
              List<Long> absent = List.of(ids).stream().filter(id -> !known.contains(id)).toList();
              if (!absent.isEmpty()) {
                throw missing.apply(absent);
              }
              return null;
            });
  }

  private static Future<Optional<Long>> insertGroup(
      SqlClient conn, Creation creation, OffsetDateTime now) {
    int children = creation.targets().size();
    if (children <= 1) {
      return Future.succeededFuture(Optional.empty());
    }
    NewActivity request = creation.request();
    return conn.preparedQuery(
            """
            INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                    created_at, deliver_after, deliver_before, max_concurrency,
                                    max_errors, reapplied_from, target_query)
            VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            RETURNING id
            """)
        // the children hold the secrets they deliver; the group needs none
        .execute(
            Tuple.of(
                    creation.accountId(),
                    creation.type().kind().wireName(),
                    ActivityType.GROUP,
                    creation.summary(),
                    SecretParameters.withheld(SecretParameters.stored(request.parameters())),
                    creation.creator())
                .addOffsetDateTime(now)
                .addOffsetDateTime(request.deliverAfter().map(ActivityInserts::at).orElse(null))
                .addOffsetDateTime(request.deliverBefore().map(ActivityInserts::at).orElse(null))
                .addInteger(
                    request
                        .maxConcurrency()
                        .map(l -> Math.max(1, l.resolve(children)))
                        .orElse(null))
                .addInteger(request.maxErrors().map(l -> l.resolve(children)).orElse(null))
                .addLong(creation.groupRedoes().orElse(null))
                .addString(request.targetQuery().orElse(null)))
        .map(rows -> Optional.of(rows.iterator().next().getLong(0)));
  }

  /** One statement however many targets: unnest spreads them into rows. */
  private static Future<Long> insertChildren(
      SqlClient conn, Creation creation, OffsetDateTime now, Optional<Long> groupId) {
    NewActivity request = creation.request();
    Optional<NewActivity.Dependency> dependency = request.dependency();
    Tuple params =
        Tuple.of(
                creation.accountId(),
                groupId.orElse(null),
                creation.type().kind().wireName(),
                creation.type().name(),
                creation.start().wireName(),
                creation.summary())
            .addValue(SecretParameters.stored(request.parameters()))
            .addString(creation.creator())
            .addOffsetDateTime(now)
            .addOffsetDateTime(request.deliverAfter().map(ActivityInserts::at).orElse(null))
            .addArrayOfLong(
                creation.targets().stream()
                    .map(t -> t.computerId().orElse(null))
                    .toArray(Long[]::new))
            .addInteger(request.delayWindowMinutes())
            .addOffsetDateTime(request.deliverBefore().map(ActivityInserts::at).orElse(null))
            .addLong(dependency.map(NewActivity.Dependency::activityId).orElse(null))
            .addInteger(dependency.flatMap(NewActivity.Dependency::progressThreshold).orElse(null))
            .addBoolean(dependency.map(NewActivity.Dependency::runOnFailure).orElse(false))
            .addInteger(request.timeoutSeconds().orElse(null))
            .addArrayOfLong(
                creation.targets().stream().map(t -> t.redoes().orElse(null)).toArray(Long[]::new))
            .addString(Status.QUEUED.wireName())
            .addString(request.targetQuery().orElse(null));
    return conn.preparedQuery(INSERT_CHILDREN)
        .execute(params)
        .map(rows -> groupId.orElseGet(() -> rows.iterator().next().getLong(0)));
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
