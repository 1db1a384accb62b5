package dev.outpost.server.exchange;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.DueRule;
import dev.outpost.server.activity.Transitions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of the message exchange; every method runs inside the caller's transaction. Each
 * statement serves the exchanges of many computers at once (a batch, see {@link
 * MessageSystem}): arrays in, one round trip, rows tagged with their computer out.
 */
final class ExchangeStore {

  /**
   * Whether anything waits for computer $1 at $2: a message in its outgoing store, or an
   * activity it may be given now.
   */
  private static final String WAITING =
      "SELECT EXISTS (SELECT 1 FROM outgoing_messages WHERE computer_id = $1) OR "
          + DueRule.any("$1::bigint", "$2");

  /** The newest recorded messages of one type each computer keeps. */
  static final int KEPT_PER_TYPE = 10;
  /** The newest quarantined messages each computer keeps. */
  static final int QUARANTINE_KEPT = 100;

  private ExchangeStore() {
  }

  /**
   * Locks the rows of the computers with these secure-id hashes, in id order so that batches
   * never wait on each other in a cycle, and reads their exchange state; removed and unknown
   * computers are absent from the answer. NO KEY UPDATE, because the exchange changes no key
   * column: it serializes exchanges of one computer, yet lets others insert rows that reference
   * the computer (a fan-out's children take a KEY SHARE lock on it until they commit, and FOR
   * UPDATE would wait for the whole fan-out).
   */
  static Future<Map<ByteBuffer, ComputerState>> lock(SqlClient conn, List<byte[]> secureIdHashes) {
    return conn.preparedQuery("""
            SELECT id, next_expected_in, out_base, exchange_token_hash, client_types,
                   secure_id_hash
              FROM computers
             WHERE secure_id_hash = ANY($1::bytea[]) AND removed_at IS NULL
             ORDER BY id
               FOR NO KEY UPDATE
            """)
        .execute(Tuple.tuple()
            .addArrayOfBuffer(secureIdHashes.stream().map(Buffer::buffer).toArray(Buffer[]::new)))
        .map(rows -> {
          Map<ByteBuffer, ComputerState> states = new HashMap<>();
          rows.forEach(row -> states.put(ByteBuffer.wrap(row.getBuffer("secure_id_hash").getBytes()),
              new ComputerState(
                  row.getLong("id"),
                  row.getLong("next_expected_in"),
                  row.getLong("out_base"),
                  Optional.ofNullable(row.getBuffer("exchange_token_hash")).map(Buffer::getBytes),
                  Arrays.asList(row.getArrayOfStrings("client_types")))));
          return states;
        });
  }

  /** Whether a registered computer, not removed, has this secure-id hash. */
  static Future<Boolean> registered(SqlClient conn, byte[] secureIdHash) {
    return conn.preparedQuery("""
            SELECT EXISTS (SELECT 1 FROM computers
                            WHERE secure_id_hash = $1 AND removed_at IS NULL)
            """)
        .execute(Tuple.of(Buffer.buffer(secureIdHash)))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** Whether anything waits for the computer now, for {@code /ping}. */
  static Future<Boolean> waiting(SqlClient conn, long computerId, Instant now) {
    return conn.preparedQuery(WAITING)
        .execute(Tuple.of(computerId, at(now)))
        .map(rows -> rows.iterator().next().getBoolean(0));
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

  /** One computer's row of a batched statement. */
  record Tagged<T>(long computerId, T value) {
  }

  /**
   * Applies operation results, each to an activity of the computer that sent it.
   *
   * @return the results that named no activity of their computer
   */
  static Future<List<Tagged<Long>>> applyResults(SqlClient conn,
      List<Tagged<OperationResult>> results, Instant now) {
    return Transitions.applyResults(conn, results.stream()
            .map(r -> new Transitions.Result(r.computerId(), r.value().activityId(),
                r.value().status(), r.value().code(), r.value().text()))
            .toList(), now)
        .map(strangers -> strangers.stream()
            .map(s -> new Tagged<>(s.computerId(), s.activityId()))
            .toList());
  }

  /** Records the progress agents report on their computers' running activities. */
  static Future<Void> progress(SqlClient conn, List<Tagged<MessageReader.Progress>> reports) {
    if (reports.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            UPDATE activities a SET progress = r.percent
              FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS r(computer_id, id, percent)
             WHERE a.id = r.id AND a.computer_id = r.computer_id AND a.status = $4
            """)
        .execute(Tuple.tuple()
            .addArrayOfLong(reports.stream().map(Tagged::computerId).toArray(Long[]::new))
            .addArrayOfLong(reports.stream().map(r -> r.value().activityId())
                .toArray(Long[]::new))
            .addArrayOfInteger(reports.stream().map(r -> r.value().percent())
                .toArray(Integer[]::new))
            .addString(Status.IN_PROGRESS.wireName()))
        .mapEmpty();
  }

  /** A client message kept rather than acted on. */
  record Recorded(String type, JsonObject body) {
  }

  /**
   * Keeps client messages that are recorded rather than acted on, then trims each computer's
   * messages of each type it sent to the newest {@link #KEPT_PER_TYPE} (what a client reports
   * again and again, a computer-info say, need not pile up).
   */
  static Future<Void> record(SqlClient conn, List<Tagged<Recorded>> messages, Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] computers = messages.stream().map(Tagged::computerId).toArray(Long[]::new);
    String[] types = messages.stream().map(m -> m.value().type()).toArray(String[]::new);
    Future<Void> inserted = conn.preparedQuery("""
            INSERT INTO client_messages (computer_id, type, body, received_at)
            SELECT c, t, b, $4 FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS m(c, t, b)
            """)
        .execute(Tuple.of(computers, types,
            messages.stream().map(m -> m.value().body()).toArray(JsonObject[]::new), at(now)))
        .mapEmpty();
    Future<Void> trimmed = conn.preparedQuery("""
            DELETE FROM client_messages m
             USING (SELECT DISTINCT c, t FROM unnest($1::bigint[], $2::text[]) AS k(c, t)) k
             WHERE m.computer_id = k.c AND m.type = k.t
               AND m.id < (SELECT id FROM client_messages o
                            WHERE o.computer_id = k.c AND o.type = k.t
                            ORDER BY id DESC OFFSET $3 - 1 LIMIT 1)
            """)
        .execute(Tuple.of(computers, types, KEPT_PER_TYPE))
        .mapEmpty();
    return Future.all(inserted, trimmed).mapEmpty();
  }

  /**
   * Sets client messages aside with the reasons they were not acted on, then trims each
   * computer's to the newest {@link #QUARANTINE_KEPT}.
   */
  static Future<Void> quarantine(SqlClient conn, List<Tagged<Quarantined>> messages,
      Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] computers = messages.stream().map(Tagged::computerId).toArray(Long[]::new);
    Future<Void> inserted = conn.preparedQuery("""
            INSERT INTO quarantined_messages (computer_id, received_at, type, reason, message,
                                              size)
            SELECT c, $6, t, r, m, s
              FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[])
                   AS q(c, t, r, m, s)
            """)
        .execute(Tuple.of(computers,
            messages.stream().map(m -> m.value().type()).toArray(String[]::new),
            messages.stream().map(m -> m.value().reason()).toArray(String[]::new),
            messages.stream().map(m -> m.value().message()).toArray(String[]::new),
            messages.stream().map(m -> m.value().size()).toArray(Integer[]::new),
            at(now)))
        .mapEmpty();
    Future<Void> trimmed = conn.preparedQuery("""
            DELETE FROM quarantined_messages q
             USING (SELECT DISTINCT c FROM unnest($1::bigint[]) AS k(c)) k
             WHERE q.computer_id = k.c
               AND q.id < (SELECT id FROM quarantined_messages o WHERE o.computer_id = k.c
                            ORDER BY id DESC OFFSET $2 - 1 LIMIT 1)
            """)
        .execute(Tuple.of(computers, QUARANTINE_KEPT))
        .mapEmpty();
    return Future.all(inserted, trimmed).mapEmpty();
  }

  /**
   * Deletes the oldest messages of computers' outgoing stores: as many of each as its client
   * says it has. The DELETE is given the rows' physical addresses and fetches just those (a TID
   * scan) rather than looking each up again (a join with the subquery may be planned as a scan
   * of the whole store).
   */
  static Future<Void> acknowledge(SqlClient conn, List<Tagged<Long>> counts) {
    List<Tagged<Long>> some = counts.stream().filter(c -> c.value() > 0).toList();
    if (some.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            DELETE FROM outgoing_messages WHERE ctid = ANY(ARRAY(
              SELECT m.ctid FROM unnest($1::bigint[], $2::bigint[]) AS a(computer_id, n)
               CROSS JOIN LATERAL (SELECT ctid FROM outgoing_messages o
                                    WHERE o.computer_id = a.computer_id
                                    ORDER BY id LIMIT a.n) m))
            """)
        .execute(Tuple.tuple()
            .addArrayOfLong(some.stream().map(Tagged::computerId).toArray(Long[]::new))
            .addArrayOfLong(some.stream().map(Tagged::value).toArray(Long[]::new)))
        .mapEmpty();
  }

  /**
   * The computers that have children due in a group with a concurrency or error limit; those
   * groups are locked until the transaction ends.
   */
  static Future<Set<Long>> limited(SqlClient conn, List<Long> computerIds) {
    return DueRule.limited(conn, computerIds);
  }

  /**
   * Delivers the computers' due activities, at most {@code max} each. The {@link #limited}
   * computers are served one statement at a time, so that each counts the children the one
   * before it delivered; the rest in one.
   *
   * @return the activities moved to In Progress, by computer, in id order
   */
  static Future<Map<Long, List<Delivery>>> deliver(SqlClient conn, List<Long> computerIds,
      Set<Long> limited, Instant now, int max) {
    Map<Long, List<Delivery>> deliveries = new LinkedHashMap<>();
    computerIds.forEach(id -> deliveries.put(id, new ArrayList<>()));
    List<Long> free = computerIds.stream().filter(id -> !limited.contains(id)).toList();
    Future<Void> chain = deliverTo(conn, free, now, max, deliveries);
    for (long id : limited) {
      chain = chain.compose(done -> deliverTo(conn, List.of(id), now, max, deliveries));
    }
    return chain.map(done -> deliveries);
  }

  private static Future<Void> deliverTo(SqlClient conn, List<Long> computerIds, Instant now,
      int max, Map<Long, List<Delivery>> deliveries) {
    return Transitions.deliver(conn, computerIds, now, max).map(delivered -> {
      delivered.forEach(d -> deliveries.get(d.computerId()).add(
          new Delivery(d.activityId(), d.type(), d.parameters())));
      return null;
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

  /** Appends messages to computers' outgoing stores, each computer's in the order given. */
  static Future<Void> enqueue(SqlClient conn, List<Tagged<byte[]>> messages, Instant now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
            INSERT INTO outgoing_messages (computer_id, message, created_at)
            SELECT c, m, $3 FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS u(c, m, n)
             ORDER BY n
            """)
        .execute(Tuple.of(messages.stream().map(Tagged::computerId).toArray(Long[]::new),
            messages.stream().map(m -> Buffer.buffer(m.value())).toArray(Buffer[]::new),
            at(now)))
        .mapEmpty();
  }

  /** Each computer's outgoing store, oldest first, at most {@code max} messages each. */
  static Future<Map<Long, List<byte[]>>> pending(SqlClient conn, List<Long> computerIds,
      int max) {
    return conn.preparedQuery("""
            SELECT c.computer_id, m.message
              FROM unnest($1::bigint[]) AS c(computer_id)
             CROSS JOIN LATERAL (SELECT id, message FROM outgoing_messages o
                                  WHERE o.computer_id = c.computer_id
                                  ORDER BY id LIMIT $2) m
             ORDER BY c.computer_id, m.id
            """)
        .execute(Tuple.of(computerIds.toArray(Long[]::new), max))
        .map(rows -> {
          Map<Long, List<byte[]>> messages = new HashMap<>();
          computerIds.forEach(id -> messages.put(id, new ArrayList<>()));
          rows.forEach(row -> messages.get(row.getLong(0)).add(row.getBuffer(1).getBytes()));
          return messages;
        });
  }

  /** A computer's exchange state as the exchange leaves it. */
  record Saved(long computerId, long nextExpectedIn, long outBase, byte[] tokenHash,
      List<String> clientTypes) {
  }

  static Future<Void> save(SqlClient conn, List<Saved> saved, Instant now) {
    return conn.preparedQuery("""
            UPDATE computers c
               SET next_expected_in = s.next_expected_in, out_base = s.out_base,
                   exchange_token_hash = s.token_hash,
                   client_types = ARRAY(SELECT jsonb_array_elements_text(s.client_types::jsonb)),
                   last_exchange_at = $6
              FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[], $5::text[])
                   AS s(id, next_expected_in, out_base, token_hash, client_types)
             WHERE c.id = s.id
            """)
        .execute(Tuple.of(
            saved.stream().map(Saved::computerId).toArray(Long[]::new),
            saved.stream().map(Saved::nextExpectedIn).toArray(Long[]::new),
            saved.stream().map(Saved::outBase).toArray(Long[]::new),
            saved.stream().map(s -> Buffer.buffer(s.tokenHash())).toArray(Buffer[]::new),
            saved.stream().map(s -> new JsonArray(new ArrayList<>(s.clientTypes())).encode())
                .toArray(String[]::new),
            at(now)))
        .mapEmpty();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
