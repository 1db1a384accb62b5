package dev.outpost.server.events;

import dev.outpost.common.error.OutpostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in the event log: the id of the transaction that wrote an event and the event's own id,
 * ordered in that order (migration V35 says why). Written {@code <xid>-<id>}, as SSE ids and {@code
 * after} take it.
 *
 * @param xid the writing transaction's id
 * @param id the event's id
 */
public record Position(long xid, long id) implements Comparable<Position> {

  private static final Pattern WRITTEN = Pattern.compile("(\\d{1,18})-(\\d{1,18})");

  /** Reads a position as {@link #toString} writes it; anything else is a 400 naming it. */
  public static Position parse(String text) {
    Matcher m = WRITTEN.matcher(text.strip());
    if (!m.matches()) {
      throw OutpostException.badRequest(
          "'" + text + "' is not an event position (<xid>-<id>, as each event's id gives it)");
    }
    return new Position(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  @Override
  public int compareTo(Position other) {
    int byXid = Long.compare(xid, other.xid);
    return byXid != 0 ? byXid : Long.compare(id, other.id);
  }

  @Override
  public String toString() {
    return xid + "-" + id;
  }
}
