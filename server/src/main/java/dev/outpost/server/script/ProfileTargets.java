package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The computers a script profile runs on: every computer of the account, or those carrying any of
 * the tags. Resolved when the profile fires, so computers registered or tagged since are included.
 */
public record ProfileTargets(boolean allComputers, List<String> tags) {

  /** The most tags one profile names. */
  static final int MAX_TAGS = 100;

  /** The longest tag. */
  static final int MAX_TAG_CHARS = 255;

  /** Copies the tags, so the targets stay as read. */
  public ProfileTargets {
    tags = List.copyOf(tags);
  }

  /**
   * Reads targets from a request: {@code "all_computers": true} or {@code "tags": [...]} (one of
   * them); a {@code query} is refused until computers can be selected by query.
   */
  static ProfileTargets read(JsonObject body) {
    if (body.containsKey("query")) {
      throw OutpostException.badRequest(
          "targets by 'query' are not supported yet; name 'tags' or 'all_computers'");
    }
    Object all = body.getValue("all_computers");
    if (all != null && !(all instanceof Boolean)) {
      throw OutpostException.badRequest("field 'all_computers' must be a boolean");
    }
    Object given = body.getValue("tags");
    if (given != null && !(given instanceof JsonArray)) {
      throw OutpostException.badRequest("field 'tags' must be a list of tags");
    }
    LinkedHashSet<String> tags = new LinkedHashSet<>();
    if (given instanceof JsonArray array) {
      for (Object tag : array) {
        if (!(tag instanceof String name)
            || name.isBlank()
            || name.length() > MAX_TAG_CHARS
            || !StorableText.isStorable(name)) {
          throw OutpostException.badRequest(
              "field 'tags' must hold tags of 1 to " + MAX_TAG_CHARS + " characters, not " + tag);
        }
        tags.add(name);
      }
    }
    if (tags.size() > MAX_TAGS) {
      throw OutpostException.badRequest(
          "field 'tags' names " + tags.size() + " tags; a profile may name at most " + MAX_TAGS);
    }
    boolean allComputers = Boolean.TRUE.equals(all);
    if (allComputers == !tags.isEmpty()) {
      throw OutpostException.badRequest(
          "a profile targets 'all_computers': true or a non-empty list of 'tags', one of them");
    }
    return new ProfileTargets(allComputers, List.copyOf(tags));
  }

  /**
   * The account's computers these targets name now, by id, at most {@code max} (only {@code
   * computer} when given, if the targets name it), in the caller's transaction.
   */
  Future<List<Long>> resolve(SqlClient conn, long accountId, Optional<Long> computer, int max) {
    return conn.preparedQuery(
            """
            SELECT id FROM computers
             WHERE account_id = $1 AND removed_at IS NULL
               AND ($2 OR tags && $3::text[])
               AND ($4::bigint IS NULL OR id = $4)
             ORDER BY id LIMIT $5
            """)
        .execute(
            Tuple.of(
                accountId, allComputers, tags.toArray(String[]::new), computer.orElse(null), max))
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }
}
