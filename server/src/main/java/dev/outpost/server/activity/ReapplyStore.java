package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the activities that redo an earlier one, in one transaction: Queued, of the same type,
 * parameters and summary, each recording in {@code reapplied_from} and in its creation event
 * which activity it redoes.
 */
public final class ReapplyStore {

  /** One activity to create: on a computer (none for a server activity), redoing {@code origin}. */
  public record Target(Optional<Long> computerId, long origin) {
  }

  /**
   * What to create.
   *
   * @param origin the activity named by the caller: the new top-level activity records it
   * @param targets one per new activity; several make a group whose children each record the
   *     child they redo
   */
  public record Reapplication(ActivityType type, String summary, JsonObject parameters,
      long origin, List<Target> targets) {
  }

  private static final String INSERT = """
      WITH created AS (
        INSERT INTO activities (account_id, parent_id, computer_id, kind, type, status, summary,
                                parameters, creator, created_at, reapplied_from)
        SELECT $1, $2, t.computer_id, $3, $4, $5, $6, $7, $8, $9, t.origin
          FROM unnest($10::bigint[], $11::bigint[]) AS t (computer_id, origin)
        RETURNING id, kind, status, created_at, reapplied_from
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, NULL, status, created_at, $8, 'reapplied from activity ' || reapplied_from
          FROM created
      ), published AS (
        -- a server activity that starts Queued goes to the job queue through the outbox
        INSERT INTO outbox (activity_id, created_at)
        SELECT id, created_at FROM created WHERE kind = 'server' AND status = 'queued'
      )
      SELECT min(id) FROM created
      """;

  private final Pool pool;
  private final Clock clock;

  /** Creates the store over the shared pool, reading time from the clock. */
  public ReapplyStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Creates the activity, or a group with a child per target.
   *
   * @return the id of the new activity or group
   */
  public Future<Long> create(long accountId, String creator, Reapplication reapplication) {
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    return pool.withTransaction(conn -> checkComputers(conn, accountId, reapplication)
        .compose(ok -> insertGroup(conn, accountId, creator, reapplication, now))
        .compose(groupId -> insertActivities(conn, accountId, creator, reapplication, now,
            groupId)));
  }

  /** The computers must still be registered: a removed one can no longer run anything. */
  private static Future<Void> checkComputers(SqlClient conn, long accountId,
      Reapplication reapplication) {
    Long[] ids = reapplication.targets().stream()
        .flatMap(target -> target.computerId().stream())
        .toArray(Long[]::new);
    if (ids.length == 0) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            SELECT id FROM computers
             WHERE account_id = $1 AND id = ANY($2) AND removed_at IS NULL
            """)
        .execute(Tuple.tuple().addLong(accountId).addArrayOfLong(ids))
        .map(rows -> {
          Set<Long> present = new HashSet<>();
          rows.forEach(row -> present.add(row.getLong(0)));
          List<Long> removed = List.of(ids).stream().filter(id -> !present.contains(id)).toList();
          if (!removed.isEmpty()) {
            throw OutpostException.conflict("activity " + reapplication.origin()
                + " cannot be reapplied: computers " + removed + " were removed since");
          }
          return null;
        });
  }

  private static Future<Optional<Long>> insertGroup(SqlClient conn, long accountId,
      String creator, Reapplication reapplication, OffsetDateTime now) {
    if (reapplication.targets().size() <= 1) {
      return Future.succeededFuture(Optional.empty());
    }
    return conn.preparedQuery("""
            INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                    created_at, reapplied_from)
            VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)
            RETURNING id
            """)
        .execute(Tuple.of(accountId, reapplication.type().kind().wireName(), ActivityType.GROUP,
            reapplication.summary(), reapplication.parameters(), creator, now,
            reapplication.origin()))
        .map(rows -> Optional.of(rows.iterator().next().getLong(0)));
  }

  private static Future<Long> insertActivities(SqlClient conn, long accountId, String creator,
      Reapplication reapplication, OffsetDateTime now, Optional<Long> groupId) {
    List<Target> targets = reapplication.targets();
    Long[] computers = targets.stream().map(t -> t.computerId().orElse(null)).toArray(Long[]::new);
    // A lone new activity stands for the one the caller named; a group's children for their own.
    Long[] origins = groupId.isPresent()
        ? targets.stream().map(Target::origin).toArray(Long[]::new)
        : new Long[] {reapplication.origin()};
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(accountId, groupId.orElse(null),
                reapplication.type().kind().wireName(), reapplication.type().name(),
                Status.QUEUED.wireName(), reapplication.summary(), reapplication.parameters(),
                creator, now)
            .addArrayOfLong(computers)
            .addArrayOfLong(origins))
        .map(rows -> groupId.orElseGet(() -> rows.iterator().next().getLong(0)));
  }
}
