package dev.outpost.server.script;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import dev.outpost.server.computer.ComputerQuery;
import dev.outpost.server.computer.ComputerSelection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The computers a script profile runs on: every computer of the account, those carrying any of the
 * tags, or those a computer query selects. Resolved when the profile fires, as a computer query
 * ({@link ComputerSelection}), so computers registered or tagged since are included.
 */
public record ProfileTargets(boolean allComputers, List<String> tags, Optional<String> query) {

  /** The most tags one profile names (each a term of its query, which holds at most 100). */
  static final int MAX_TAGS = 50;

  /** The longest tag. */
  static final int MAX_TAG_CHARS = 255;

  /** Copies the tags, so the targets stay as read. */
  public ProfileTargets {
    tags = List.copyOf(tags);
  }

  /**
   * Reads targets from a request: {@code "all_computers": true}, {@code "tags": [...]} or {@code
   * "query": "..."}, one of them; a query is parsed now (its relative times are counted from each
   * firing), so a bad term is a 400 naming it.
   */
  static ProfileTargets read(JsonObject body, Instant now) {
    Object all = body.getValue("all_computers");
    if (all != null && !(all instanceof Boolean)) {
      throw OutpostException.badRequest("field 'all_computers' must be a boolean");
    }
    Object given = body.getValue("tags");
    if (given != null && !(given instanceof JsonArray)) {
      throw OutpostException.badRequest("field 'tags' must be a list of tags");
    }
    Object query = body.getValue("query");
    if (query != null && !(query instanceof String)) {
      throw OutpostException.badRequest("field 'query' must be a computer query");
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
    Optional<String> selecting = Optional.ofNullable((String) query).filter(q -> !q.isBlank());
    int named = (allComputers ? 1 : 0) + (tags.isEmpty() ? 0 : 1) + (selecting.isEmpty() ? 0 : 1);
    if (named != 1) {
      throw OutpostException.badRequest(
          "a profile targets 'all_computers': true, a non-empty list of 'tags' or a 'query',"
              + " one of them");
    }
    ProfileTargets targets = new ProfileTargets(allComputers, List.copyOf(tags), selecting);
    // as a computer enrolling resolves them: a bad term, or one past the query's caps, is a 400
    ComputerQuery.parse(targets.selecting(Optional.of(0L)), now);
    return targets;
  }

  /**
   * The account's computers these targets select now, by id (only {@code computer} when given, if
   * they select it), in the caller's transaction; more than the target cap is a 400.
   */
  Future<List<Long>> resolve(
      SqlConnection conn, ComputerSelection selection, long accountId, Optional<Long> computer) {
    return selection.resolve(conn, accountId, selecting(computer));
  }

  /**
   * The targets as one computer query ({@code ""} selects every computer of the account), narrowed
   * to {@code computer} when given.
   */
  private String selecting(Optional<Long> computer) {
    String base =
        query.orElseGet(
            () -> String.join(" OR ", tags.stream().map(ProfileTargets::tagTerm).toList()));
    return computer.map(id -> "id:" + id + (base.isEmpty() ? "" : " (" + base + ")")).orElse(base);
  }

  /** {@code tag:"name"}, quoted as the query language quotes. */
  private static String tagTerm(String tag) {
    return "tag:\"" + tag.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
