package dev.outpost.server.activity;

import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * One page of a listing.
 *
 * @param count how many match in all, across pages; empty when not asked for
 * @param countCapped whether more than {@code count} match (counting stopped at the cap)
 * @param next the keyset cursor of the following page (pass it as {@code before}); empty on the
 *     last page
 */
public record Page<T>(
    Optional<Long> count, boolean countCapped, List<T> results, Optional<Long> next) {

  /**
   * Counting stops here: a count costs a scan of every match, so past this a listing says only "at
   * least this many" and stays about as cheap as its page (counting 10,001 index entries took five
   * times as long as reading a page of 100 rows).
   */
  public static final int COUNT_CAP = 1_000;

  /**
   * The page of {@code limit} rows out of {@code rows}, which were read one past the limit to tell
   * whether a next page exists, its cursor the id of the last row shown; {@code counted} is the
   * count of matches as read, up to one past {@link #COUNT_CAP}.
   */
  public static <T> Page<T> of(
      int limit, Optional<Long> counted, List<T> rows, ToLongFunction<T> id) {
    boolean more = rows.size() > limit;
    List<T> results = more ? rows.subList(0, limit) : rows;
    Optional<Long> next =
        more ? Optional.of(id.applyAsLong(results.get(results.size() - 1))) : Optional.empty();
    boolean capped = counted.map(n -> n > COUNT_CAP).orElse(false);
    return new Page<>(counted.map(n -> Math.min(n, COUNT_CAP)), capped, results, next);
  }
}
