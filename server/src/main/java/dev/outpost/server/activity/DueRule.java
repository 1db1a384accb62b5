package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which client activities a computer may be given now, written once: the exchange delivers by it
 * ({@link Transitions#deliver}), {@code /ping} answers by it and a computer's pending count counts
 * by it.
 *
 * <p>A client activity is due when it is Queued or Scheduled, its {@code deliver_after} has come
 * and its {@code deliver_before} has not, and its group (if any) has room under {@code
 * max_concurrency} and has not failed more than {@code max_errors} times. Of a computer's due
 * activities, taken in id order, a {@link #ALONE} activity goes by itself when it is first in line;
 * otherwise the line stops before it.
 */
public final class DueRule {

  /**
   * The activity type delivered alone. Its message makes the Landscape Client drop its plugins'
   * session ids until new ones come back, and a result sent in between is discarded: a script
   * delivered in the same response that ends at once never reports.
   */
  public static final String ALONE = "ResynchronizeRequest";

  /**
   * The states a client activity waits for its delivery in, written into the SQL as literals: the
   * partial index activities_deliverable holds exactly these rows, and only a literal lets a
   * prepared statement's generic plan use it.
   */
  static final Set<Status> UNDELIVERED = EnumSet.of(Status.QUEUED, Status.SCHEDULED);

  /**
   * The rule as two common table expressions: {@code due_candidates}, each computer's activities
   * that pass the rule row by row, at most {limit} each in id order, and {@code due}, those of them
   * that may go now. {computers} is a bigint[], {now} the time; {lock} locks the candidates for a
   * delivery, skipping rows another delivery holds.
   */
  private static final String DUE =
      statusSql(
          """
      due_candidates AS (
        SELECT a.* FROM unnest({computers}) AS c(computer_id)
         CROSS JOIN LATERAL (
           SELECT a.id, a.computer_id, a.status, a.type, a.parameters FROM activities a
            WHERE a.computer_id = c.computer_id AND a.kind = 'client'
              AND a.status IN ({undelivered})
              AND (a.deliver_after IS NULL OR a.deliver_after <= {now})
              AND (a.deliver_before IS NULL OR a.deliver_before > {now})
              AND NOT EXISTS (
                SELECT 1 FROM activities p
                 WHERE p.id = a.parent_id
                   AND ((SELECT count(*) FROM activities r
                          WHERE r.parent_id = p.id AND r.status = {in-progress})
                          >= p.max_concurrency
                        OR (SELECT count(*) FROM activities f
                             WHERE f.parent_id = p.id AND f.status = {failed}) > p.max_errors))
            ORDER BY a.id
            LIMIT {limit}
            {lock}) a
      ), due AS (
        SELECT id, computer_id, status, type, parameters FROM (
          SELECT id, computer_id, status, type, parameters,
                 row_number() OVER w AS position,
                 count(*) FILTER (WHERE type = {alone}) OVER w AS alone_so_far
            FROM due_candidates
          WINDOW w AS (PARTITION BY computer_id ORDER BY id)) c
         WHERE position = 1 OR alone_so_far = 0
      )""");

  /**
   * The computers of a batch that have children waiting for delivery in a group with a concurrency
   * or error limit; the statement locks those groups (in id order, with a transaction-level
   * advisory lock) so that concurrent deliveries count their children in turn.
   */
  private static final String LIMITED_GROUPS =
      statusSql(
          """
      WITH limited AS (
        SELECT DISTINCT a.computer_id, p.id AS group_id
          FROM activities a JOIN activities p ON p.id = a.parent_id
         WHERE a.computer_id = ANY($1::bigint[]) AND a.kind = 'client'
           AND a.status IN ({undelivered})
           AND (p.max_concurrency IS NOT NULL OR p.max_errors IS NOT NULL)
      ), locked AS (
        SELECT group_id, pg_advisory_xact_lock(group_id)
          FROM (SELECT DISTINCT group_id FROM limited ORDER BY group_id) g
      )
      SELECT DISTINCT l.computer_id FROM limited l JOIN locked USING (group_id)
      """);

  static {
    if (ActivityTypes.find(ALONE).isEmpty()) {
      throw new IllegalStateException("the type delivered alone is no activity type: " + ALONE);
    }
    for (Status status : UNDELIVERED) {
      if (!Lifecycle.allows(Kind.CLIENT, status, Status.IN_PROGRESS)) {
        throw new IllegalStateException("the lifecycle no longer delivers from " + status);
      }
    }
  }

  private DueRule() {}

  private static String statusSql(String template) {
    return StatusSql.of(template.replace("{undelivered}", StatusSql.list(UNDELIVERED)));
  }

  /**
   * The rule's common table expressions ({@code due_candidates}, {@code due}, without WITH), for a
   * statement that names the computers and the time as it likes.
   *
   * @param computers SQL of a bigint[] of computers, such as {@code $1::bigint[]}
   * @param now SQL of the time, such as {@code $2}
   * @param limit SQL of the most activities per computer, {@code NULL} for all
   * @param lock whether the candidates are locked for a delivery
   */
  public static String ctes(String computers, String now, String limit, boolean lock) {
    return DUE.replace("{computers}", computers)
        .replace("{now}", now)
        .replace("{limit}", limit)
        .replace("{lock}", lock ? "FOR UPDATE OF a SKIP LOCKED" : "")
        .replace("{alone}", "'" + ALONE + "'");
  }

  /** SQL of a count of one computer's due activities ({@code computer}: SQL of its id). */
  public static String count(String computer, String now) {
    return "(WITH "
        + ctes("ARRAY[" + computer + "]::bigint[]", now, "NULL", false)
        + " SELECT count(*) FROM due)";
  }

  /** SQL of whether one computer ({@code computer}: SQL of its id) has an activity due. */
  public static String any(String computer, String now) {
    return "EXISTS (WITH "
        + ctes("ARRAY[" + computer + "]::bigint[]", now, "1", false)
        + " SELECT 1 FROM due)";
  }

  /**
   * The computers that have children waiting for delivery in a group with a concurrency or error
   * limit; those groups are locked until the transaction ends.
   */
  public static Future<Set<Long>> limited(SqlClient conn, List<Long> computerIds) {
    return conn.preparedQuery(LIMITED_GROUPS)
        .execute(Tuple.tuple().addArrayOfLong(computerIds.toArray(Long[]::new)))
        .map(
            rows -> {
              Set<Long> limited = new HashSet<>();
              rows.forEach(row -> limited.add(row.getLong(0)));
              return limited;
            });
  }
}
