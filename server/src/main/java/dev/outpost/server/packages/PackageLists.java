package dev.outpost.server.packages;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A computer's packages as the admin API lists them, of the computer's account only. */
public final class PackageLists {

  /** The statuses a query may ask for. */
  public static final List<String> STATUSES =
      List.of("installed", "available", "upgradable", "held");

  /** The longest query text taken. */
  private static final int MAX_QUERY = 1_000;

  /** One package a computer has, and how it has it. */
  public record Listed(
      long id,
      String name,
      String version,
      Optional<String> section,
      Optional<String> summary,
      Optional<Long> size,
      boolean installed,
      boolean available,
      boolean upgradable,
      boolean held) {}

  /** A page of a computer's packages, with how many the query selects in all. */
  public record Page(List<Listed> packages, long count) {}

  /**
   * What a query asks: {@code name:} a name, {@code *} matching any characters; {@code status:} one
   * of {@link #STATUSES} (available meaning available and not installed).
   */
  public record Query(Optional<String> name, Optional<String> status) {

    /** Reads a query; a term it does not know is a 400 naming it. */
    public static Query parse(String text) {
      if (text.length() > MAX_QUERY) {
        throw OutpostException.badRequest("query is longer than " + MAX_QUERY + " characters");
      }
      Optional<String> name = Optional.empty();
      Optional<String> status = Optional.empty();
      for (String term : text.trim().split("\\s+")) {
        if (term.isEmpty()) {
          continue;
        }
        int colon = term.indexOf(':');
        String key = colon < 0 ? "" : term.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = colon < 0 ? term : term.substring(colon + 1);
        if (key.equals("name") && !value.isEmpty() && name.isEmpty()) {
          name = Optional.of(value);
        } else if (key.equals("status") && status.isEmpty()) {
          if (!STATUSES.contains(value)) {
            throw OutpostException.badRequest(
                "status '" + value + "' is not one of " + String.join(", ", STATUSES));
          }
          status = Optional.of(value);
        } else {
          throw OutpostException.badRequest(
              "query term '"
                  + term
                  + "' is not one of name:NAME (with * for any characters) and status:STATUS,"
                  + " each at most once");
        }
      }
      return new Query(name, status);
    }

    /** The name as a LIKE pattern: * for any characters, the rest literal. */
    Optional<String> pattern() {
      return name.map(
          n -> n.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%'));
    }
  }

  private final Pool pool;

  /** Reads over the shared pool. */
  public PackageLists(Pool pool) {
    this.pool = pool;
  }

  /**
   * A page of the computer's packages, by name then id; a computer not of the account, or removed,
   * is a 404.
   */
  public Future<Page> page(long accountId, long computerId, Query query, int limit, int offset) {
    return pool.preparedQuery(
            """
            WITH c AS (SELECT id FROM computers
                        WHERE id = $2 AND account_id = $1 AND removed_at IS NULL),
            lists AS (SELECT cp.* FROM computer_packages cp JOIN c ON c.id = cp.computer_id),
            ids AS (SELECT unnest(installed) AS id, 1 AS bit FROM lists
                    UNION ALL SELECT unnest(available), 2 FROM lists
                    UNION ALL SELECT unnest(upgradable), 4 FROM lists
                    UNION ALL SELECT unnest(held), 8 FROM lists),
            flags AS (SELECT id, bit_or(bit) AS bits FROM ids GROUP BY id),
            chosen AS (
              SELECT p.id, p.name, p.version, p.section, p.summary, p.size, f.bits
                FROM flags f JOIN packages p ON p.id = f.id AND p.account_id = $1
               WHERE ($3::text IS NULL OR p.name LIKE $3)
                 AND ($4::text IS NULL
                      OR ($4 = 'installed' AND f.bits & 1 <> 0)
                      OR ($4 = 'available' AND f.bits & 3 = 2)
                      OR ($4 = 'upgradable' AND f.bits & 4 <> 0)
                      OR ($4 = 'held' AND f.bits & 8 <> 0)))
            SELECT (SELECT count(*) FROM c) AS found, (SELECT count(*) FROM chosen) AS total, x.*
              FROM (SELECT 1) AS one
              LEFT JOIN LATERAL (SELECT * FROM chosen ORDER BY name, id LIMIT $5 OFFSET $6) AS x
                ON true
            """)
        .execute(
            Tuple.tuple()
                .addLong(accountId)
                .addLong(computerId)
                .addString(query.pattern().orElse(null))
                .addString(query.status().orElse(null))
                .addInteger(limit)
                .addInteger(offset))
        .map(
            rows -> {
              List<Listed> listed = new ArrayList<>();
              long total = 0;
              for (Row row : rows) {
                if (row.getLong("found") == 0) {
                  throw OutpostException.notFound("computer " + computerId + " not found");
                }
                total = row.getLong("total");
                if (row.getValue("id") == null) {
                  continue;
                }
                int bits = row.getInteger("bits");
                listed.add(
                    new Listed(
                        row.getInteger("id"),
                        row.getString("name"),
                        row.getString("version"),
                        Optional.ofNullable(row.getString("section")),
                        Optional.ofNullable(row.getString("summary")),
                        Optional.ofNullable(row.getLong("size")),
                        (bits & 1) != 0,
                        (bits & 2) != 0,
                        (bits & 4) != 0,
                        (bits & 8) != 0));
              }
              return new Page(listed, total);
            });
  }
}
