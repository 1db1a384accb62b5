package dev.outpost.server.exchange;

import dev.outpost.server.account.ClientIntervals;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The computers' side of the exchange in the {@code computers} table: registering them, and their
 * exchange state (sequence numbers both ways, token, the types their clients accept), read under a
 * row lock and saved many computers per statement. Every method runs in the caller's transaction.
 */
final class ComputerStateStore {

  private ComputerStateStore() {}

  /**
   * Locks the rows of the computers with these secure-id hashes, in id order so that batches never
   * wait on each other in a cycle, and reads their exchange state, their title and tags and their
   * account's client intervals; removed and unknown computers are absent from the answer. NO KEY
   * UPDATE, because the exchange changes no key column: it serializes exchanges of one computer,
   * yet lets others insert rows that reference the computer (a fan-out's children take a KEY SHARE
   * lock on it until they commit, and FOR UPDATE would wait for the whole fan-out). Only the
   * computers are locked: the account's row is read, never held.
   */
  static Future<Map<ByteBuffer, ComputerState>> lock(SqlClient conn, List<byte[]> secureIdHashes) {
    return conn.preparedQuery(
            """
            SELECT c.id, c.next_expected_in, c.out_base, c.exchange_token_hash, c.client_types,
                   c.secure_id_hash, c.title, c.tags, c.intervals_sent, a.intervals_version,
                   a.exchange_interval, a.urgent_exchange_interval, a.ping_interval
              FROM computers c JOIN accounts a ON a.id = c.account_id
             WHERE c.secure_id_hash = ANY($1::bytea[]) AND c.removed_at IS NULL
             ORDER BY c.id
               FOR NO KEY UPDATE OF c
            """)
        .execute(
            Tuple.tuple()
                .addArrayOfBuffer(
                    secureIdHashes.stream().map(Buffer::buffer).toArray(Buffer[]::new)))
        .map(
            rows -> {
              Map<ByteBuffer, ComputerState> states = new HashMap<>();
              rows.forEach(
                  row ->
                      states.put(
                          ByteBuffer.wrap(row.getBuffer("secure_id_hash").getBytes()),
                          new ComputerState(
                              row.getLong("id"),
                              row.getLong("next_expected_in"),
                              row.getLong("out_base"),
                              Optional.ofNullable(row.getBuffer("exchange_token_hash"))
                                  .map(Buffer::getBytes),
                              Arrays.asList(row.getArrayOfStrings("client_types")),
                              row.getString("title"),
                              List.of(row.getArrayOfStrings("tags")),
                              new ComputerState.Intervals(
                                  row.getLong("intervals_sent"),
                                  row.getLong("intervals_version"),
                                  new ClientIntervals(
                                      Optional.ofNullable(row.getInteger("exchange_interval")),
                                      Optional.ofNullable(
                                          row.getInteger("urgent_exchange_interval")),
                                      Optional.ofNullable(row.getInteger("ping_interval")))))));
              return states;
            });
  }

  /** Whether a registered computer, not removed, has this secure-id hash. */
  static Future<Boolean> registered(SqlClient conn, byte[] secureIdHash) {
    return conn.preparedQuery(
            """
            SELECT EXISTS (SELECT 1 FROM computers
                            WHERE secure_id_hash = $1 AND removed_at IS NULL)
            """)
        .execute(Tuple.of(Buffer.buffer(secureIdHash)))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** The registered computer, not removed, that has this secure-id hash. */
  static Future<Optional<Long>> computer(SqlClient conn, byte[] secureIdHash) {
    return conn.preparedQuery(
            "SELECT id FROM computers WHERE secure_id_hash = $1 AND removed_at IS NULL")
        .execute(Tuple.of(Buffer.buffer(secureIdHash)))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** Registers a computer of the account and returns its id, its insecure-id. */
  static Future<Long> register(
      SqlClient conn,
      long accountId,
      Registration registration,
      byte[] secureIdHash,
      long nextExpectedIn,
      long outBase,
      Instant now) {
    return conn.preparedQuery(
            """
            INSERT INTO computers (account_id, title, hostname, tags, secure_id_hash,
                                   registration_info, registered_at, last_exchange_at,
                                   next_expected_in, out_base)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
            RETURNING id
            """)
        .execute(
            Tuple.of(
                    accountId,
                    registration.title(),
                    registration.hostname(),
                    registration.tags().toArray(String[]::new),
                    Buffer.buffer(secureIdHash),
                    registration.info(),
                    at(now))
                .addLong(nextExpectedIn)
                .addLong(outBase))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * A computer's exchange state as the exchange leaves it.
   *
   * @param intervalsSent the version of its account's client intervals it has been sent
   */
  record Saved(
      long computerId,
      long nextExpectedIn,
      long outBase,
      byte[] tokenHash,
      List<String> clientTypes,
      long intervalsSent) {}

  /**
   * Saves the computers' exchange states, the client intervals they were sent, and when they last
   * exchanged.
   */
  static Future<Void> save(SqlClient conn, List<Saved> saved, Instant now) {
    return conn.preparedQuery(
            """
            UPDATE computers c
               SET next_expected_in = s.next_expected_in, out_base = s.out_base,
                   exchange_token_hash = s.token_hash,
                   client_types = ARRAY(SELECT jsonb_array_elements_text(s.client_types::jsonb)),
                   intervals_sent = s.intervals_sent, last_exchange_at = $6
              FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[], $5::text[],
                          $7::bigint[])
                   AS s(id, next_expected_in, out_base, token_hash, client_types, intervals_sent)
             WHERE c.id = s.id
            """)
        .execute(
            Tuple.of(
                    saved.stream().map(Saved::computerId).toArray(Long[]::new),
                    saved.stream().map(Saved::nextExpectedIn).toArray(Long[]::new),
                    saved.stream().map(Saved::outBase).toArray(Long[]::new),
                    saved.stream().map(s -> Buffer.buffer(s.tokenHash())).toArray(Buffer[]::new),
                    saved.stream()
                        .map(s -> new JsonArray(new ArrayList<>(s.clientTypes())).encode())
                        .toArray(String[]::new),
                    at(now))
                .addArrayOfLong(saved.stream().map(Saved::intervalsSent).toArray(Long[]::new)))
        .mapEmpty();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
