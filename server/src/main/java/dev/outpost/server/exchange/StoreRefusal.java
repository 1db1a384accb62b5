package dev.outpost.server.exchange;

import io.vertx.pgclient.PgException;
import java.util.Set;

/**
 * Whether the database refused what it was given, rather than failing as such: bad data (class 22:
 * a byte sequence, a value out of range), a broken constraint (23), a value too large (54). Those
 * fail again however often they are tried; anything else may not.
 */
final class StoreRefusal {

  private static final Set<String> CLASSES = Set.of("22", "23", "54");

  private StoreRefusal() {}

  static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg
          && pg.getSqlState() != null
          && CLASSES.contains(pg.getSqlState().substring(0, 2))) {
        return true;
      }
    }
    return false;
  }
}
