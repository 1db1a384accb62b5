package dev.outpost.server.exchange;

import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The SQL of the message exchange; every method runs inside the caller's transaction. */
final class ExchangeStore {

  /**
   * The groups with a concurrency or error limit that have children due for this computer; the
   * exchange locks them (in id order) so that concurrent exchanges count their children in turn.
   */
  private static final String LIMITED_GROUPS = """
      SELECT pg_advisory_xact_lock(g.id)
        FROM (SELECT DISTINCT p.id FROM activities a JOIN activities p ON p.id = a.parent_id
               WHERE a.computer_id = $1 AND a.kind = 'client'
                 AND a.status IN ('queued', 'scheduled')
                 AND (p.max_concurrency IS NOT NULL OR p.max_errors IS NOT NULL)
               ORDER BY p.id) g
      """;

  /**
   * The activity type delivered alone. Its message makes the Landscape Client drop its plugins'
   * session ids until new ones come back, and a result sent in between is discarded: a script
   * delivered in the same response that ends at once never reports.
   */
  private static final String ALONE = "ResynchronizeRequest";

  /**
   * Moves a computer's due client activities to In Progress, logging each move: Queued or
   * Scheduled ones whose time has come and not gone, whose group has room and has not failed
   * too often. A {@link #ALONE} activity goes by itself when it is first in line; otherwise
   * delivery stops before it.
   */
  private static final String DELIVER = """
      WITH candidates AS (
        SELECT a.id, a.status, a.type FROM activities a
         WHERE a.computer_id = $1 AND a.kind = 'client'
           AND a.status IN ('queued', 'scheduled')
           AND (a.deliver_after IS NULL OR a.deliver_after <= $2)
           AND (a.deliver_before IS NULL OR a.deliver_before > $2)
           AND NOT EXISTS (
             SELECT 1 FROM activities p
              WHERE p.id = a.parent_id
                AND ((SELECT count(*) FROM activities c
                       WHERE c.parent_id = p.id AND c.status = 'in-progress') >= p.max_concurrency
                     OR (SELECT count(*) FROM activities f
                          WHERE f.parent_id = p.id AND f.status = 'failed') > p.max_errors))
         ORDER BY a.id
         LIMIT $3
           FOR UPDATE OF a SKIP LOCKED
      ), due AS (
        SELECT id, status FROM (
          SELECT id, status,
                 row_number() OVER (ORDER BY id) AS position,
                 -- $4: the type that travels alone
                 count(*) FILTER (WHERE type = $4) OVER (ORDER BY id) AS alone_so_far
            FROM candidates) c
         WHERE position = 1 OR alone_so_far = 0
      ), moved AS (
        UPDATE activities a
           SET status = 'in-progress', delivered_at = $2, attempt = a.attempt + 1,
               version = a.version + 1
          FROM due
         WHERE a.id = due.id
        RETURNING a.id, a.type, a.parameters, due.status AS from_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, 'in-progress', $2, 'computer:' || $1, 'delivered' FROM moved
      )
      SELECT id, type, parameters FROM moved ORDER BY id
      """;

  /**
   * Applies results: In Progress moves to the reported state; a Canceled activity, or one the
   * scheduler failed for want of a result, keeps its status but records the first result the
   * agent sends; anything else is left alone (a repeat, or a stranger).
   */
  private static final String RESULTS = """
      WITH incoming AS (
        SELECT * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[])
                   AS r(id, to_status, code, text)
      ), target AS (
        SELECT a.id, a.status, i.to_status, i.code, i.text
          FROM activities a JOIN incoming i ON a.id = i.id
         WHERE a.computer_id = $1 AND a.kind = 'client'
           FOR UPDATE OF a
      ), moved AS (
        UPDATE activities a
           SET status = CASE WHEN t.status = ANY($7::text[]) THEN t.to_status ELSE a.status END,
               result_code = t.code, result_text = t.text, result_at = $6,
               completed_at = COALESCE(a.completed_at, $6),
               version = a.version + 1
          FROM target t
         WHERE a.id = t.id
           -- $7: the states the lifecycle lets a client activity leave for Succeeded or Failed
           AND (t.status = ANY($7::text[])
                OR (t.status IN ('canceled', 'failed') AND a.result_at IS NULL))
        RETURNING a.id, t.status AS from_status, a.status AS to_status
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, from_status, to_status, $6, 'computer:' || $1, 'result'
          FROM moved WHERE from_status <> to_status
      )
      SELECT i.id, t.status AS found, m.id IS NOT NULL AS applied
        FROM incoming i
        LEFT JOIN target t ON t.id = i.id
        LEFT JOIN moved m ON m.id = i.id
      """;

  private ExchangeStore() {
  }

  /**
   * Locks the computer's row for this exchange. NO KEY UPDATE, because the exchange changes no
   * key column: it serializes exchanges of one computer, yet lets others insert rows that
   * reference the computer (a fan-out's children take a KEY SHARE lock on it until they commit,
   * and FOR UPDATE would wait for the whole fan-out).
   */
  static Future<Optional<ComputerState>> lock(SqlClient conn, byte[] secureIdHash) {
    return conn.preparedQuery("""
            SELECT id, account_id, next_expected_in, out_base, exchange_token_hash, client_types
              FROM computers
             WHERE secure_id_hash = $1 AND removed_at IS NULL
               FOR NO KEY UPDATE
            """)
        .execute(Tuple.of(Buffer.buffer(secureIdHash)))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new ComputerState(
              row.getLong("id"),
              row.getLong("account_id"),
              row.getLong("next_expected_in"),
              row.getLong("out_base"),
              Optional.ofNullable(row.getBuffer("exchange_token_hash")).map(Buffer::getBytes),
              Arrays.asList(row.getArrayOfStrings("client_types"))));
        });
  }

  /** Finds the account a registration names, when the key matches. */
  static Future<Optional<Long>> account(SqlClient conn, String name, byte[] keyHash) {
    return conn.preparedQuery(
            "SELECT id FROM accounts WHERE name = $1 AND registration_key_hash = $2")
        .execute(Tuple.of(name, Buffer.buffer(keyHash)))
        .map(rows -> rows.size() == 0
            ? Optional.<Long>empty()
            : Optional.of(rows.iterator().next().getLong(0)));
  }

  static Future<Long> register(SqlClient conn, long accountId, String title, String hostname,
      List<String> tags, byte[] secureIdHash, JsonObject info, long nextExpectedIn, long outBase,
      Instant now) {
    return conn.preparedQuery("""
            INSERT INTO computers (account_id, title, hostname, tags, secure_id_hash,
                                   registration_info, registered_at, last_exchange_at,
                                   next_expected_in, out_base)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
            RETURNING id
            """)
        .execute(Tuple.of(accountId, title, hostname, tags.toArray(String[]::new),
                Buffer.buffer(secureIdHash), info, at(now))
            .addLong(nextExpectedIn)
            .addLong(outBase))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Applies operation results of this computer's activities.
   *
   * @return the ids that named no activity of this computer
   */
  static Future<List<Long>> applyResults(SqlClient conn, long computerId,
      List<OperationResult> results, Instant now) {
    if (results.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple params = Tuple.tuple()
        .addLong(computerId)
        .addArrayOfLong(results.stream().map(OperationResult::activityId).toArray(Long[]::new))
        .addArrayOfString(results.stream().map(r -> r.status().wireName()).toArray(String[]::new))
        .addArrayOfInteger(results.stream().map(r -> r.code().orElse(null)).toArray(Integer[]::new))
        .addArrayOfString(results.stream().map(r -> r.text().orElse(null)).toArray(String[]::new))
        .addOffsetDateTime(at(now))
        .addArrayOfString(Lifecycle.sources(Kind.CLIENT, Status.SUCCEEDED).stream()
            .filter(s -> Lifecycle.allows(Kind.CLIENT, s, Status.FAILED))
            .map(Status::wireName).toArray(String[]::new));
    return conn.preparedQuery(RESULTS).execute(params).map(rows -> {
      List<Long> strangers = new ArrayList<>();
      rows.forEach(row -> {
        if (row.getString("found") == null) {
          strangers.add(row.getLong("id"));
        }
      });
      return strangers;
    });
  }

  /** Records the progress agents report on this computer's running activities. */
  static Future<Void> progress(SqlClient conn, long computerId,
      List<MessageReader.Progress> reports) {
    if (reports.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            UPDATE activities a SET progress = r.percent
              FROM unnest($2::bigint[], $3::int[]) AS r(id, percent)
             WHERE a.id = r.id AND a.computer_id = $1 AND a.status = 'in-progress'
            """)
        .execute(Tuple.tuple().addLong(computerId)
            .addArrayOfLong(reports.stream().map(MessageReader.Progress::activityId)
                .toArray(Long[]::new))
            .addArrayOfInteger(reports.stream().map(MessageReader.Progress::percent)
                .toArray(Integer[]::new)))
        .mapEmpty();
  }

  /** Keeps client messages that are recorded rather than acted on. */
  static Future<Void> record(SqlClient conn, long computerId, List<String> types,
      List<JsonObject> bodies, Instant now) {
    if (types.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            INSERT INTO client_messages (computer_id, type, body, received_at)
            SELECT $1, t, b, $4 FROM unnest($2::text[], $3::jsonb[]) AS m(t, b)
            """)
        .execute(Tuple.of(computerId, types.toArray(String[]::new),
            bodies.toArray(JsonObject[]::new), at(now)))
        .mapEmpty();
  }

  /** Deletes the oldest {@code count} messages of the outgoing store: the client has them. */
  static Future<Void> acknowledge(SqlClient conn, long computerId, long count) {
    if (count <= 0) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            DELETE FROM outgoing_messages WHERE id IN (
              SELECT id FROM outgoing_messages WHERE computer_id = $1 ORDER BY id LIMIT $2)
            """)
        .execute(Tuple.of(computerId, count))
        .mapEmpty();
  }

  static Future<List<Delivery>> deliver(SqlClient conn, long computerId, Instant now, int max) {
    return conn.preparedQuery(LIMITED_GROUPS).execute(Tuple.of(computerId))
        .compose(locked -> conn.preparedQuery(DELIVER)
            .execute(Tuple.of(computerId, at(now), max, ALONE)))
        .map(rows -> {
          List<Delivery> deliveries = new ArrayList<>(rows.size());
          rows.forEach(row -> deliveries.add(new Delivery(row.getLong("id"),
              row.getString("type"), (JsonObject) row.getValue("parameters"))));
          return deliveries;
        });
  }

  static Future<Long> attach(SqlClient conn, long computerId, long activityId, String name,
      byte[] content) {
    return conn.preparedQuery("""
            INSERT INTO attachments (computer_id, activity_id, name, content)
            VALUES ($1, $2, $3, $4) RETURNING id
            """)
        .execute(Tuple.of(computerId, activityId, name, Buffer.buffer(content)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  static Future<Void> enqueue(SqlClient conn, long computerId, List<byte[]> messages, Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            INSERT INTO outgoing_messages (computer_id, message, created_at)
            SELECT $1, m, $3 FROM unnest($2::bytea[]) WITH ORDINALITY AS u(m, n) ORDER BY n
            """)
        .execute(Tuple.of(computerId,
            messages.stream().map(Buffer::buffer).toArray(Buffer[]::new), at(now)))
        .mapEmpty();
  }

  /** The outgoing store, oldest first, at most {@code max} messages. */
  static Future<List<byte[]>> pending(SqlClient conn, long computerId, int max) {
    return conn.preparedQuery(
            "SELECT message FROM outgoing_messages WHERE computer_id = $1 ORDER BY id LIMIT $2")
        .execute(Tuple.of(computerId, max))
        .map(rows -> {
          List<byte[]> messages = new ArrayList<>(rows.size());
          rows.forEach(row -> messages.add(row.getBuffer(0).getBytes()));
          return messages;
        });
  }

  static Future<Void> save(SqlClient conn, long computerId, long nextExpectedIn, long outBase,
      byte[] tokenHash, List<String> clientTypes, Instant now) {
    return conn.preparedQuery("""
            UPDATE computers
               SET next_expected_in = $2, out_base = $3, exchange_token_hash = $4,
                   client_types = $5, last_exchange_at = $6
             WHERE id = $1
            """)
        .execute(Tuple.of(computerId, nextExpectedIn, outBase, Buffer.buffer(tokenHash),
            clientTypes.toArray(String[]::new), at(now)))
        .mapEmpty();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
