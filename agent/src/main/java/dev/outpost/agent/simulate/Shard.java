package dev.outpost.agent.simulate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which share of a fleet one process simulates: shard {@code index} of {@code count} (from 1) takes
 * the agents whose number leaves {@code index - 1} divided by {@code count}, and, in the open
 * model, the exchanges of the schedule numbered likewise; the shards together are the whole fleet.
 */
public record Shard(int index, int count) {

  /** The whole fleet in one process. */
  public static final Shard ALL = new Shard(1, 1);

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})/(\\d{1,6})");

  public Shard {
    if (count < 1 || index < 1 || index > count) {
      throw new IllegalArgumentException(
          "a shard is i/n with 1 <= i <= n, not " + index + "/" + count);
    }
  }

  /** Reads {@code i/n}. */
  public static Shard parse(String text) {
    Matcher m = FORMAT.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("a shard is i/n with 1 <= i <= n, not '" + text + "'");
    }
    return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Whether this shard takes agent (or scheduled exchange) {@code number}, from 0. */
  public boolean takes(long number) {
    return number % count == index - 1;
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
