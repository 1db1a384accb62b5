package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one writer of {@code activities.status}: every statement that changes a status is here, for
 * the admin API, the scheduler and the exchange, or beside it in {@link JobTransitions} for the
 * job-handler. Each moves many activities at once, only from the states {@link Lifecycle} lets them
 * leave for their new one (passed as {@code text[]} parameters), and logs each move in {@code
 * activity_events} in the same statement. Every method runs in the caller's transaction, or alone
 * on a pool.
 *
 * <p>Nothing guards by a row version: each write is guarded by the state it moves from, read under
 * the row's lock, and a job's writes by its {@code (lease_owner, attempt)} as well, so a zombie's
 * late write finds the state moved on and changes nothing.
 */
public final class Transitions {

  /** The states a client activity may leave for both Succeeded and Failed: a result's. */
  private static final String[] RESULT_SOURCES = StatusSql.names(both(Kind.CLIENT));

  /** The final states that still record the first result an agent sends, keeping their status. */
  private static final String[] LATE_RESULTS =
      StatusSql.names(EnumSet.of(Status.CANCELED, Status.FAILED));

  /** The states a client activity is delivered from. */
  private static final String[] DELIVERED_FROM =
      StatusSql.names(Lifecycle.sources(Kind.CLIENT, Status.IN_PROGRESS));

  private static final String[] SECRETS = ActivityTypes.secrets().toArray(String[]::new);

  /**
   * Moves activities by id (a group stands for its children), of one account or ($1 NULL) of any,
   * to $3, each where the lifecycle table allows it. A server activity that becomes Queued goes to
   * the job queue through the outbox; a running client activity canceled leaves a notice for its
   * agent ({@link CancelNotices}).
   */
  private static final String MOVE =
      """
      WITH target AS (
        SELECT id, status, kind FROM activities
         WHERE ($1::bigint IS NULL OR account_id = $1)   -- NULL: the scheduler, for any account
           AND (id = ANY($2) OR parent_id = ANY($2))   -- naming a group names its children
           AND status IS NOT NULL
         ORDER BY id
           FOR UPDATE
      ), moved AS (
        UPDATE activities a
           SET status = $3,
               -- $11: whether $3 is In Progress; $5: whether it is final
               delivered_at = CASE WHEN $11 THEN $4 ELSE a.delivered_at END,
               completed_at = CASE WHEN $5 THEN $4 ELSE a.completed_at END,
               result_text = COALESCE($10, a.result_text)
          FROM target t
         WHERE a.id = t.id
           -- $6 / $7: the states the lifecycle table lets client / server activities leave for $3
           AND t.status = ANY(CASE t.kind WHEN 'client' THEN $6::text[] ELSE $7::text[] END)
        RETURNING a.id, t.status AS from_status, t.kind, a.computer_id, a.account_id
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, $3, $4, $8, $9 FROM moved
      ), published AS (
        -- $12: whether $3 is Queued, which a server activity waits in for a job-handler
        INSERT INTO outbox (activity_id, account_id, created_at)
        SELECT id, account_id, $4 FROM moved WHERE kind = 'server' AND $12
      ), """
          + CancelNotices.RECORD
          + """
      SELECT t.id, t.status, m.id IS NOT NULL AS applied
        FROM target t LEFT JOIN moved m ON m.id = t.id
      UNION ALL
      SELECT g.id, NULL, FALSE FROM activities g
       WHERE ($1::bigint IS NULL OR g.account_id = $1) AND g.id = ANY($2) AND g.status IS NULL
      """;

  /**
   * Moves each computer's ($1) due client activities ({@link DueRule}) to $4 (In Progress), at most
   * $3 each, logging each move. The parameters come back as they were, to build the messages (their
   * secrets are no longer held from then on), with what a script's environment tells of the
   * activity (of its computer, the exchange read what it tells with the computer's lock).
   */
  private static final String DELIVER =
      "WITH "
          + DueRule.ctes("$1::bigint[]", "$2", "$3", true)
          + """
      , moved AS (
        UPDATE activities a
           SET status = $4, delivered_at = $2, attempt = a.attempt + 1,
               -- $5: the names of secret parameters
               parameters = withhold_secrets(a.parameters, $5::text[])
          FROM due
         WHERE a.id = due.id
           -- $6: the states the lifecycle table lets a client activity leave for $4
           AND due.status = ANY($6::text[])
        RETURNING a.id, a.computer_id, a.type, due.parameters, due.status AS from_status,
                  a.creator, a.created_at
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, $4, $2, 'computer:' || computer_id, 'delivered' FROM moved
      )
      SELECT id, computer_id, type, parameters, creator, created_at
        FROM moved
       ORDER BY computer_id, id
      """;

  /**
   * Applies results ($1 to $5, one array element each): an activity in a state of $7 moves to the
   * reported state; one in a state of $8 (canceled, or failed for want of a result) keeps its
   * status but records the first result the agent sends; anything else is left alone (a repeat, or
   * a stranger: an activity of another computer, or none), and strangers come back.
   */
  private static final String RESULTS =
      """
      WITH incoming AS (
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::text[])
                   AS r(computer_id, id, to_status, code, text)
      ), target AS (
        SELECT a.id, a.computer_id, a.status, i.to_status, i.code, i.text
          FROM activities a JOIN incoming i ON a.id = i.id AND a.computer_id = i.computer_id
         WHERE a.kind = 'client'
           FOR UPDATE OF a
      ), moved AS (
        UPDATE activities a
           SET status = CASE WHEN t.status = ANY($7::text[]) THEN t.to_status ELSE a.status END,
               result_code = t.code, result_text = t.text, result_at = $6,
               completed_at = COALESCE(a.completed_at, $6)
          FROM target t
         WHERE a.id = t.id
           AND (t.status = ANY($7::text[]) OR (t.status = ANY($8::text[]) AND a.result_at IS NULL))
        RETURNING a.id, a.computer_id, t.status AS from_status, a.status AS to_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, to_status, $6, 'computer:' || computer_id, 'result'
          FROM moved WHERE from_status <> to_status
      )
      SELECT i.computer_id, i.id
        FROM incoming i LEFT JOIN target t ON t.id = i.id
       WHERE t.id IS NULL
      """;

  private Transitions() {}

  /**
   * Moves activities of any account (or only of {@code accountId}) by the table, optionally writing
   * a result text that says why.
   *
   * @return one outcome per activity considered, and a not-found one per id the account lacks
   */
  public static Future<List<TransitionOutcome>> move(
      SqlClient client,
      Optional<Long> accountId,
      List<Long> ids,
      Status to,
      String actor,
      String reason,
      Optional<String> resultText,
      Instant now) {
    Long[] idArray = new LinkedHashSet<>(ids).toArray(Long[]::new);
    if (idArray.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return client
        .preparedQuery(MOVE)
        .execute(
            Tuple.of(
                    accountId.orElse(null),
                    idArray,
                    to.wireName(),
                    at(now),
                    to.isFinal(),
                    StatusSql.names(Lifecycle.sources(Kind.CLIENT, to)))
                .addArrayOfString(StatusSql.names(Lifecycle.sources(Kind.SERVER, to)))
                .addString(actor)
                .addString(reason)
                .addString(resultText.orElse(null))
                .addBoolean(to == Status.IN_PROGRESS)
                .addBoolean(to == Status.QUEUED)
                .addBoolean(to == Status.CANCELED)
                .addString(Status.IN_PROGRESS.wireName())
                .addString(CancelNotices.messageType()))
        .map(rows -> outcomes(idArray, to, rows));
  }

  /**
   * Delivers the computers' due activities, at most {@code max} each, in one statement.
   *
   * @return the activities moved to In Progress, by computer and id
   */
  public static Future<List<Delivered>> deliver(
      SqlClient conn, List<Long> computerIds, Instant now, int max) {
    if (computerIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(DELIVER)
        .execute(
            Tuple.of(computerIds.toArray(Long[]::new), at(now), max, Status.IN_PROGRESS.wireName())
                .addArrayOfString(SECRETS)
                .addArrayOfString(DELIVERED_FROM))
        .map(
            rows -> {
              List<Delivered> delivered = new ArrayList<>(rows.size());
              rows.forEach(
                  row ->
                      delivered.add(
                          new Delivered(
                              row.getLong("id"),
                              row.getLong("computer_id"),
                              row.getString("type"),
                              (JsonObject) row.getValue("parameters"),
                              row.getString("creator"),
                              row.getOffsetDateTime("created_at").toInstant())));
              return delivered;
            });
  }

  /**
   * Applies results, each to an activity of the computer that sent it, in one statement.
   *
   * @return the results that named no activity of their computer
   */
  public static Future<List<AgentResult>> applyResults(
      SqlClient conn, List<AgentResult> results, Instant now) {
    if (results.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple params =
        Tuple.tuple()
            .addArrayOfLong(results.stream().map(AgentResult::computerId).toArray(Long[]::new))
            .addArrayOfLong(results.stream().map(AgentResult::activityId).toArray(Long[]::new))
            .addArrayOfString(
                results.stream().map(r -> r.status().wireName()).toArray(String[]::new))
            .addArrayOfInteger(
                results.stream().map(r -> r.code().orElse(null)).toArray(Integer[]::new))
            .addArrayOfString(
                results.stream().map(r -> r.text().orElse(null)).toArray(String[]::new))
            .addOffsetDateTime(at(now))
            .addArrayOfString(RESULT_SOURCES)
            .addArrayOfString(LATE_RESULTS);
    return conn.preparedQuery(RESULTS)
        .execute(params)
        .map(
            rows -> {
              Set<List<Long>> strangers = new HashSet<>();
              rows.forEach(row -> strangers.add(List.of(row.getLong(0), row.getLong(1))));
              return results.stream()
                  .filter(r -> strangers.contains(List.of(r.computerId(), r.activityId())))
                  .toList();
            });
  }

  private static List<TransitionOutcome> outcomes(Long[] requested, Status to, RowSet<Row> rows) {
    List<TransitionOutcome> outcomes = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    for (Row row : rows) {
      seen.add(row.getLong("id"));
      String from = row.getString("status");
      if (from != null) { // a group row only says the group exists
        outcomes.add(
            new TransitionOutcome(
                row.getLong("id"),
                Optional.of(Status.fromWire(from)),
                to,
                row.getBoolean("applied")));
      }
    }
    for (Long id : requested) {
      if (!seen.contains(id)) {
        outcomes.add(new TransitionOutcome(id, Optional.empty(), to, false));
      }
    }
    return outcomes;
  }

  /** The states an activity of this kind may leave for both Succeeded and Failed. */
  static Set<Status> both(Kind kind) {
    EnumSet<Status> sources = EnumSet.copyOf(Lifecycle.sources(kind, Status.SUCCEEDED));
    sources.retainAll(Lifecycle.sources(kind, Status.FAILED));
    return sources;
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
