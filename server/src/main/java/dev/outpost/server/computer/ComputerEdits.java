package dev.outpost.server.computer;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What admins change of computers: a computer's title and tags, and tags added to or removed from
 * every computer a query selects. Tags are Landscape's: letters, digits, {@code -}, {@code _} and
 * {@code .}, at most {@link #MAX_TAG_LENGTH} characters, at most the configured number per computer
 * ({@code OUTPOST_MAX_TAGS}).
 */
public final class ComputerEdits {

  /** The longest tag, in characters. */
  public static final int MAX_TAG_LENGTH = 64;

  /** The longest title, in characters. */
  public static final int MAX_TITLE_LENGTH = 200;

  /** The computers a refusal for too many tags names at most. */
  private static final int NAMED = 10;

  private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}_.-]+");

  /** Whether a text is a tag: 1 to {@link #MAX_TAG_LENGTH} letters, digits, {@code -_.}. */
  public static boolean isTag(String text) {
    return text.length() <= MAX_TAG_LENGTH && TAG.matcher(text).matches();
  }

  /**
   * The tags of each chosen computer ($2) with $3 added (after its own, in order) and $4 removed;
   * none is written when one would carry more than $5 tags (those come back, up to $6), and only
   * computers whose tags change are written.
   */
  private static final String RETAG =
      """
      WITH wanted AS (
        SELECT c.id, c.tags AS old,
               ARRAY(SELECT t FROM unnest(c.tags || $3::text[]) WITH ORDINALITY AS u(t, n)
                      WHERE t <> ALL($4::text[])
                      GROUP BY t ORDER BY min(n)) AS new
          FROM computers c
         WHERE c.account_id = $1 AND c.id = ANY($2) AND c.removed_at IS NULL
         ORDER BY c.id
           FOR UPDATE
      ), over AS (
        SELECT id FROM wanted WHERE cardinality(new) > $5
      ), changed AS (
        UPDATE computers c SET tags = w.new
          FROM wanted w
         WHERE c.id = w.id AND w.old IS DISTINCT FROM w.new AND NOT EXISTS (SELECT 1 FROM over)
        RETURNING c.id
      )
      SELECT (SELECT count(*) FROM wanted) AS selected,
             (SELECT count(*) FROM changed) AS changed,
             (SELECT array_agg(id) FROM (SELECT id FROM over ORDER BY id LIMIT $6) o) AS over
      """;

  /** How a bulk change of tags went: computers the query selected, and those it changed. */
  public record Retagged(long selected, long changed) {}

  private final Pool pool;
  private final ComputerSelection selection;
  private final ComputerStore store;
  private final int maxTags;

  /**
   * Edits over the shared pool; bulk changes act on what {@code selection} selects, each computer
   * carrying at most {@code maxTags} tags.
   */
  public ComputerEdits(Pool pool, ComputerSelection selection, ComputerStore store, int maxTags) {
    this.pool = pool;
    this.selection = selection;
    this.store = store;
    this.maxTags = maxTags;
  }

  /**
   * Changes one computer's title and tags (each only when given; the tags replace its own) and
   * returns it; a 404 when the account has no such computer.
   */
  public Future<Computer> update(
      long accountId, long id, Optional<String> title, Optional<List<String>> tags) {
    Optional<String> newTitle = title.map(ComputerEdits::checkedTitle);
    Optional<List<String>> newTags = tags.map(given -> checkedTags("tags", given));
    newTags.ifPresent(
        list -> {
          if (list.size() > maxTags) {
            throw OutpostException.badRequest(
                "field 'tags' holds "
                    + list.size()
                    + " tags; a computer carries at most "
                    + maxTags
                    + " (OUTPOST_MAX_TAGS)");
          }
        });
    return pool.preparedQuery(
            """
            UPDATE computers SET title = COALESCE($3, title), tags = COALESCE($4, tags)
             WHERE account_id = $1 AND id = $2 AND removed_at IS NULL
            RETURNING id
            """)
        .execute(
            Tuple.of(accountId, id, newTitle.orElse(null))
                .addArrayOfString(newTags.map(l -> l.toArray(String[]::new)).orElse(null)))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                throw OutpostException.notFound("computer " + id + " not found");
              }
              return store.find(accountId, id);
            });
  }

  /**
   * Adds tags to and removes tags from every computer the query selects, all of them or none: a
   * computer that would carry more than the cap is a 400 naming it. A tag both added and removed is
   * a 400.
   */
  public Future<Retagged> retag(
      long accountId, ComputerQuery query, List<String> add, List<String> remove) {
    List<String> added = checkedTags("add", add);
    List<String> removed = checkedTags("remove", remove);
    List<String> both = added.stream().filter(removed::contains).toList();
    if (!both.isEmpty()) {
      throw OutpostException.badRequest("tags " + both + " are both added and removed");
    }
    if (added.isEmpty() && removed.isEmpty()) {
      throw OutpostException.badRequest("give tags to 'add' or to 'remove'");
    }
    return pool.withTransaction(
        conn ->
            selection
                .resolve(conn, accountId, query)
                .compose(
                    ids ->
                        conn.preparedQuery(RETAG)
                            .execute(
                                Tuple.tuple()
                                    .addLong(accountId)
                                    .addArrayOfLong(ids.toArray(Long[]::new))
                                    .addArrayOfString(added.toArray(String[]::new))
                                    .addArrayOfString(removed.toArray(String[]::new))
                                    .addInteger(maxTags)
                                    .addInteger(NAMED)))
                .map(rows -> retagged(rows.iterator().next())));
  }

  private Retagged retagged(Row row) {
    Long[] over = row.getArrayOfLongs("over");
    if (over != null) {
      throw OutpostException.badRequest(
          "computers "
              + List.of(over)
              + " would carry more than "
              + maxTags
              + " tags (OUTPOST_MAX_TAGS); no computer was changed");
    }
    return new Retagged(row.getLong("selected"), row.getLong("changed"));
  }

  /** The tags as given, each checked, the repeats of one left out. */
  static List<String> checkedTags(String field, List<String> given) {
    List<String> tags = new ArrayList<>(new LinkedHashSet<>(given));
    for (String tag : tags) {
      if (!isTag(tag)) {
        throw OutpostException.badRequest(
            "tag '"
                + (tag.length() > MAX_TAG_LENGTH ? tag.substring(0, MAX_TAG_LENGTH) + "..." : tag)
                + "' in '"
                + field
                + "' is not a tag: 1 to "
                + MAX_TAG_LENGTH
                + " letters, digits, '-', '_' or '.'");
      }
    }
    return tags;
  }

  private static String checkedTitle(String title) {
    if (title.isBlank() || title.length() > MAX_TITLE_LENGTH || !StorableText.isStorable(title)) {
      throw OutpostException.badRequest(
          "field 'title' must be 1 to "
              + MAX_TITLE_LENGTH
              + " characters, not blank, without NUL or unpaired surrogates");
    }
    return title;
  }
}
