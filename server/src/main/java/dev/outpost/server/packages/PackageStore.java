package dev.outpost.server.packages;

import dev.outpost.server.packages.PackageReport.AddPackages;
import dev.outpost.server.packages.PackageReport.Changes;
import dev.outpost.server.packages.PackageReport.PackageList;
import dev.outpost.server.packages.PackageReport.UnknownHashes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account's package table and each computer's package lists, as the exchange writes them: the
 * hash-id handshake ({@code unknown-package-hashes} and {@code add-packages}, each answered with a
 * {@code package-ids}), and the {@code packages} messages' changes, applied as set operations so
 * that a message applied twice changes nothing more.
 */
public final class PackageStore {

  private static final Logger LOG = LoggerFactory.getLogger(PackageStore.class);

  /** Packages one account's table holds at most; past it, new hashes get no id. */
  public static final int MAX_PER_ACCOUNT = 2_000_000;

  private static final String IDS_OF_HASHES =
      """
      SELECT p.id
        FROM unnest($2::bytea[]) WITH ORDINALITY AS h(hash, n)
        LEFT JOIN packages p
          ON p.account_id = (SELECT account_id FROM computers WHERE id = $1) AND p.hash = h.hash
       ORDER BY h.n
      """;

  private PackageStore() {}

  /**
   * Applies one computer's package messages, in the order it sent them, and returns the {@code
   * package-ids} answers to send it.
   */
  public static Future<List<Map<String, Object>>> apply(
      SqlClient conn, long computerId, List<PackageReport> reports, Instant now) {
    List<Map<String, Object>> answers = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (PackageReport report : reports) {
      chain = chain.compose(done -> applyOne(conn, computerId, report, answers, now));
    }
    return chain.map(done -> answers);
  }

  private static Future<Void> applyOne(
      SqlClient conn,
      long computerId,
      PackageReport report,
      List<Map<String, Object>> answers,
      Instant now) {
    if (report instanceof UnknownHashes unknown) {
      return ids(conn, computerId, unknown.hashes())
          .map(ids -> answers.add(packageIds(unknown.requestId(), ids)))
          .mapEmpty();
    }
    if (report instanceof AddPackages added) {
      return add(conn, computerId, added, now)
          .compose(
              ok ->
                  ids(
                      conn,
                      computerId,
                      added.packages().stream().map(PackageReport.Described::hash).toList()))
          .map(ids -> answers.add(packageIds(added.requestId(), ids)))
          .mapEmpty();
    }
    if (report instanceof PackageReport.Forget) {
      return forget(conn, computerId);
    }
    return change(conn, computerId, (Changes) report, now);
  }

  /** Forgets the computer's package lists: its client reports them again whole. */
  public static Future<Void> forget(SqlClient conn, long computerId) {
    return conn.preparedQuery("DELETE FROM computer_packages WHERE computer_id = $1")
        .execute(Tuple.of(computerId))
        .mapEmpty();
  }

  private static Map<String, Object> packageIds(long requestId, List<Long> ids) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", PackageReport.PACKAGE_IDS);
    message.put("request-id", requestId);
    message.put("ids", ids);
    return message;
  }

  /** The account's ids of these hashes, in their order; null for a hash it does not know. */
  private static Future<List<Long>> ids(SqlClient conn, long computerId, List<byte[]> hashes) {
    if (hashes.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(IDS_OF_HASHES)
        .execute(
            Tuple.tuple()
                .addLong(computerId)
                .addArrayOfBuffer(hashes.stream().map(Buffer::buffer).toArray(Buffer[]::new)))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>(hashes.size());
              for (Row row : rows) {
                Integer id = row.getInteger(0);
                ids.add(id == null ? null : id.longValue());
              }
              return ids;
            });
  }

  /** Adds the described packages the account does not have yet, while its table has room. */
  private static Future<Void> add(SqlClient conn, long computerId, AddPackages added, Instant now) {
    List<PackageReport.Described> packages = added.packages();
    if (packages.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            """
            INSERT INTO packages (account_id, hash, type, name, version, section, summary, size,
                                  installed_size, added_at)
            SELECT c.account_id, u.hash, u.type, u.name, u.version, u.section, u.summary, u.size,
                   u.installed_size, $10
              FROM computers c,
                   unnest($2::bytea[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::bigint[], $9::bigint[])
                     AS u(hash, type, name, version, section, summary, size, installed_size)
             WHERE c.id = $1
               AND (SELECT count(*) FROM (SELECT 1 FROM packages WHERE account_id = c.account_id
                                           LIMIT $11) AS room) < $11
            ON CONFLICT (account_id, hash) DO NOTHING
            """)
        .execute(
            Tuple.tuple()
                .addLong(computerId)
                .addArrayOfBuffer(
                    packages.stream().map(p -> Buffer.buffer(p.hash())).toArray(Buffer[]::new))
                .addArrayOfInteger(
                    packages.stream().map(p -> (int) p.type()).toArray(Integer[]::new))
                .addArrayOfString(
                    packages.stream().map(PackageReport.Described::name).toArray(String[]::new))
                .addArrayOfString(
                    packages.stream().map(PackageReport.Described::version).toArray(String[]::new))
                .addArrayOfString(
                    packages.stream().map(p -> p.section().orElse(null)).toArray(String[]::new))
                .addArrayOfString(
                    packages.stream().map(p -> p.summary().orElse(null)).toArray(String[]::new))
                .addArrayOfLong(
                    packages.stream().map(p -> p.size().orElse(null)).toArray(Long[]::new))
                .addArrayOfLong(
                    packages.stream().map(p -> p.installedSize().orElse(null)).toArray(Long[]::new))
                .addOffsetDateTime(now.atOffset(ZoneOffset.UTC))
                .addInteger(MAX_PER_ACCOUNT))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                LOG.debug(
                    "no package added [computer: {}, described: {}]", computerId, packages.size());
              }
              return null;
            });
  }

  /**
   * Applies a packages message to the computer's lists: each list loses the ids it no longer has
   * and gains the new ones. Only ids of the computer's account are kept.
   */
  private static Future<Void> change(
      SqlClient conn, long computerId, Changes changes, Instant now) {
    if (changes.added().isEmpty() && changes.removed().isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            "SELECT installed, available, upgradable, held FROM computer_packages"
                + " WHERE computer_id = $1")
        .execute(Tuple.of(computerId))
        .compose(
            rows -> {
              Map<PackageList, int[]> lists = new EnumMap<>(PackageList.class);
              Row row = rows.size() == 0 ? null : rows.iterator().next();
              for (PackageList list : PackageList.values()) {
                int[] old = row == null ? new int[0] : ints(row.getArrayOfIntegers(list.ordinal()));
                int[] without = minus(old, changes.removed().getOrDefault(list, new int[0]));
                lists.put(list, union(without, changes.added().getOrDefault(list, new int[0])));
              }
              return conn.preparedQuery(
                      """
                      INSERT INTO computer_packages
                                  (computer_id, installed, available, upgradable, held, updated_at)
                      SELECT c.id, k.installed, k.available, k.upgradable, k.held, $6
                        FROM computers c,
                             LATERAL (SELECT
                               ARRAY(SELECT id FROM packages
                                      WHERE account_id = c.account_id AND id = ANY($2) ORDER BY id)
                                 AS installed,
                               ARRAY(SELECT id FROM packages
                                      WHERE account_id = c.account_id AND id = ANY($3) ORDER BY id)
                                 AS available,
                               ARRAY(SELECT id FROM packages
                                      WHERE account_id = c.account_id AND id = ANY($4) ORDER BY id)
                                 AS upgradable,
                               ARRAY(SELECT id FROM packages
                                      WHERE account_id = c.account_id AND id = ANY($5) ORDER BY id)
                                 AS held) AS k
                       WHERE c.id = $1
                      ON CONFLICT (computer_id) DO UPDATE
                         SET installed = EXCLUDED.installed, available = EXCLUDED.available,
                             upgradable = EXCLUDED.upgradable, held = EXCLUDED.held,
                             updated_at = EXCLUDED.updated_at
                      """)
                  .execute(
                      Tuple.tuple()
                          .addLong(computerId)
                          .addArrayOfInteger(boxed(lists.get(PackageList.INSTALLED)))
                          .addArrayOfInteger(boxed(lists.get(PackageList.AVAILABLE)))
                          .addArrayOfInteger(boxed(lists.get(PackageList.UPGRADABLE)))
                          .addArrayOfInteger(boxed(lists.get(PackageList.HELD)))
                          .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)));
            })
        .mapEmpty();
  }

  private static int[] ints(Integer[] boxed) {
    return boxed == null ? new int[0] : Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
  }

  private static Integer[] boxed(int[] ids) {
    return Arrays.stream(ids).boxed().toArray(Integer[]::new);
  }

  /** The sorted ids of {@code a} that are not in sorted {@code b}. */
  static int[] minus(int[] a, int[] b) {
    if (b.length == 0) {
      return a;
    }
    return Arrays.stream(a).filter(id -> Arrays.binarySearch(b, id) < 0).toArray();
  }

  /** The sorted ids of both sorted arrays, each once. */
  static int[] union(int[] a, int[] b) {
    if (b.length == 0) {
      return a;
    }
    return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).sorted().distinct().toArray();
  }
}
