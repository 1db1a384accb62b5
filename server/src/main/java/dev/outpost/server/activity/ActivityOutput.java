package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Running client activities' output as their agents send it ({@code activity_output}): chunks keyed
 * by the offset they start at, in characters (Unicode code points), so a chunk sent again changes
 * nothing. Each activity keeps at most a cap of characters and {@link #MAX_CHUNKS} chunks; past
 * either, the rest is refused and an empty chunk says so. Every statement that stores chunks
 * notifies {@link #CHANNEL} of their activities, for those who follow it ({@link OutputListener});
 * the followers learn of an activity's end from the event log's notices, which every transition
 * sends, and {@link #finished}.
 */
public final class ActivityOutput {

  /** The channel notified of an activity whose output grew or ended; the payload is its id. */
  public static final String CHANNEL = "outpost_activity_output";

  /**
   * The most chunks one activity keeps: agents send one every quarter of a second at most, but an
   * agent is not trusted to.
   */
  static final int MAX_CHUNKS = 20_000;

  /**
   * Stores chunks ($1 to $4, one array element each) of the computers' own client activities, each
   * cut at the cap ($5); a chunk past the cap, or past the count ($6), leaves the empty chunk at
   * the cap instead. Notifies $7 of each activity whose output changed.
   */
  private static final String STORE =
      """
      WITH incoming AS (
        SELECT DISTINCT ON (i.activity_id, i.start_offset) i.activity_id, i.start_offset, i.text
          FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])
                 AS i(computer_id, activity_id, start_offset, text)
          JOIN activities a
            ON a.id = i.activity_id AND a.computer_id = i.computer_id AND a.kind = 'client'
         WHERE i.start_offset >= 0 AND i.text <> ''
      ), counted AS (
        SELECT i.*, (SELECT count(*) FROM activity_output o
                      WHERE o.activity_id = i.activity_id) < $6 AS room
          FROM incoming i
      ), kept AS (
        INSERT INTO activity_output (activity_id, start_offset, text)
        SELECT activity_id, start_offset, left(text, ($5 - start_offset)::int) FROM counted
         WHERE start_offset < $5 AND room
        ON CONFLICT DO NOTHING
        RETURNING activity_id
      ), cut AS (
        INSERT INTO activity_output (activity_id, start_offset, text)
        SELECT DISTINCT activity_id, $5, '' FROM counted
         WHERE start_offset + char_length(text) > $5 OR NOT room
        ON CONFLICT DO NOTHING
        RETURNING activity_id
      )
      SELECT pg_notify($7, id::text)
        FROM (SELECT activity_id FROM kept UNION SELECT activity_id FROM cut) AS changed(id)
      """;

  /** Notifies $2 of each activity of $1 that has output: its followers learn that it ended. */
  private static final String ENDED =
      """
      SELECT pg_notify($2, e.id::text) FROM unnest($1::bigint[]) AS e(id)
       WHERE EXISTS (SELECT 1 FROM activity_output o WHERE o.activity_id = e.id)
      """;

  /** Those of $1 that ended, or are no longer kept: whose output is complete. */
  private static final String FINISHED =
      """
      SELECT f.id FROM unnest($1::bigint[]) AS f(id)
       WHERE NOT EXISTS (SELECT 1 FROM activities a
                          WHERE a.id = f.id AND a.status IS NOT NULL
                            AND NOT a.status = ANY($2::text[]))
      """;

  /**
   * An activity's output from an offset on, in one statement (one snapshot): whether the activity
   * is final is read with the chunks, so a reader that sees it final has seen every chunk stored
   * with its end. The chunks start from the one that holds the offset.
   */
  private static final String READ =
      """
      SELECT a.status IS NULL OR a.status = ANY($3::text[]) AS complete, o.start_offset, o.text
        FROM activities a
        LEFT JOIN LATERAL (
          SELECT start_offset, text FROM activity_output
           WHERE activity_id = a.id
             AND start_offset >= COALESCE((SELECT max(start_offset) FROM activity_output
                                            WHERE activity_id = a.id AND start_offset <= $2), 0)
           ORDER BY start_offset) o ON TRUE
       WHERE a.id = $1
      """;

  private static final String[] FINAL =
      StatusSql.names(List.of(Status.values()).stream().filter(Status::isFinal).toList());

  /** A chunk of output an agent sent for an activity of its computer. */
  public record Chunk(long computerId, long activityId, long offset, String text) {}

  /**
   * What a reader gets.
   *
   * @param text the output from the offset asked for, as far as it is stored without a gap
   * @param nextOffset where the next read starts
   * @param complete whether the activity ended (or is no longer kept)
   * @param truncated whether output past the cap was refused
   */
  public record Slice(
      long offset, String text, long nextOffset, boolean complete, boolean truncated) {}

  private final Pool pool;

  /** Reads output through the pool. */
  public ActivityOutput(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores chunks, each for an activity of the computer that sent it (others are dropped), in the
   * caller's transaction; the followers are notified when it commits.
   *
   * @param maxChars the characters an activity keeps at most
   */
  public static Future<Void> store(SqlClient conn, List<Chunk> chunks, int maxChars) {
    if (chunks.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(STORE)
        .execute(
            Tuple.tuple()
                .addArrayOfLong(chunks.stream().map(Chunk::computerId).toArray(Long[]::new))
                .addArrayOfLong(chunks.stream().map(Chunk::activityId).toArray(Long[]::new))
                .addArrayOfLong(chunks.stream().map(Chunk::offset).toArray(Long[]::new))
                .addArrayOfString(chunks.stream().map(Chunk::text).toArray(String[]::new))
                .addInteger(maxChars)
                .addInteger(MAX_CHUNKS)
                .addString(CHANNEL))
        .mapEmpty();
  }

  /**
   * Tells the followers of these activities that they may have ended, in the caller's transaction;
   * only activities with output are notified (one that printed nothing is followed to its end by
   * the followers' own checks).
   */
  public static Future<Void> ended(SqlClient client, Collection<Long> activityIds) {
    if (activityIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return client
        .preparedQuery(ENDED)
        .execute(Tuple.of(activityIds.toArray(Long[]::new), CHANNEL))
        .mapEmpty();
  }

  /**
   * Of these activities, those whose output is complete: ended, or no longer kept (as {@link #read}
   * tells them).
   */
  public Future<List<Long>> finished(Collection<Long> activityIds) {
    if (activityIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(FINISHED)
        .execute(
            Tuple.tuple().addArrayOfLong(activityIds.toArray(Long[]::new)).addArrayOfString(FINAL))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  /** An activity's output from {@code offset} on; an activity not kept reads as complete. */
  public Future<Slice> read(long activityId, long offset) {
    return pool.preparedQuery(READ)
        .execute(Tuple.of(activityId, offset, FINAL))
        .map(rows -> slice(offset, rows));
  }

  private static Slice slice(long offset, Iterable<Row> rows) {
    StringBuilder text = new StringBuilder();
    long cursor = offset;
    boolean complete = true;
    boolean truncated = false;
    boolean gap = false;
    for (Row row : rows) {
      complete = row.getBoolean("complete");
      String chunk = row.getString("text");
      if (chunk == null) {
        continue;
      }
      if (chunk.isEmpty()) {
        truncated = true;
        continue;
      }
      long start = row.getInteger("start_offset");
      long end = start + chunk.codePointCount(0, chunk.length());
      gap |= start > cursor;
      if (gap || end <= cursor) {
        continue;
      }
      text.append(chunk, chunk.offsetByCodePoints(0, (int) (cursor - start)), chunk.length());
      cursor = end;
    }
    return new Slice(offset, text.toString(), cursor, complete, truncated);
  }
}
