package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityTypes;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Moves an account's finished activities (and their transition logs) into the archive tables, and
 * deletes its computers' registration and removal events of before the cutoff, in one statement. A
 * group moves only together with all its children, so a live group never loses one. Secret
 * parameters are not archived: a client activity canceled before delivery still held its own.
 */
public final class ActivityArchive {

  private static final String[] SECRETS = ActivityTypes.secrets().toArray(String[]::new);

  private static final String ARCHIVE =
      StatusSql.of(
          """
      WITH finished AS (
        SELECT id, parent_id FROM activities
         WHERE account_id = $1 AND status IN ({failed}, {canceled}, {succeeded})
           AND completed_at < $2
      ), groups AS (
        SELECT g.id FROM activities g
         WHERE g.account_id = $1 AND g.status IS NULL
           AND NOT EXISTS (SELECT 1 FROM activities c
                            WHERE c.parent_id = g.id AND c.id NOT IN (SELECT id FROM finished))
      ), old AS (
        SELECT id FROM finished WHERE parent_id IS NULL OR parent_id IN (SELECT id FROM groups)
        UNION ALL
        SELECT id FROM groups
      ), events AS (
        DELETE FROM activity_events e USING old WHERE e.activity_id = old.id RETURNING e.*
      ), events_kept AS (
        INSERT INTO activity_events_archive SELECT * FROM events
      ), attachments_gone AS (
        DELETE FROM attachments t USING old WHERE t.activity_id = old.id
      ), outbox_gone AS (
        DELETE FROM outbox o USING old WHERE o.activity_id = old.id
      ), computer_events_gone AS (
        -- the event log's computer rows have no archive: past the cutoff they are of no use
        DELETE FROM computer_events WHERE account_id = $1 AND at < $2 RETURNING id
      ), moved AS (
        DELETE FROM activities a USING old WHERE a.id = old.id RETURNING a
      ), kept AS (
        -- each row as it was but for its secrets ($3: their names), which the archive never holds
        INSERT INTO activities_archive
        SELECT kept.* FROM moved,
               jsonb_populate_record(moved.a, jsonb_build_object('parameters',
                 withhold_secrets((moved.a).parameters, $3::text[]))) AS kept
      )
      SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM events),
             (SELECT count(*) FROM computer_events_gone)
      """);

  /** What one archiving moved. */
  public record Archived(long activities, long events, long computerEvents) {}

  private final Pool pool;

  /** Creates the archive over the shared pool. */
  public ActivityArchive(Pool pool) {
    this.pool = pool;
  }

  /** Archives the account's activities finished before {@code cutoff}. */
  public Future<Archived> archive(long accountId, Instant cutoff) {
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(ARCHIVE)
                    .execute(Tuple.of(accountId, cutoff.atOffset(ZoneOffset.UTC), SECRETS)))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Archived(row.getLong(0), row.getLong(1), row.getLong(2));
            });
  }
}
