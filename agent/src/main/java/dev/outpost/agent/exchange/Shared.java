package dev.outpost.agent.exchange;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of the values that every agent of a process holds alike: what the server said it
 * accepts, its API, its digest of the agent's types, its intervals. A simulated fleet of 100,000
 * agents would otherwise keep 100,000 copies of each (the accepted types alone, decoded for each
 * agent, were about 1 KiB an agent). The values are immutable. At most {@value #MAX} are kept,
 * whatever a server sends: past that a value is simply not shared.
 */
final class Shared {

  static final int MAX = 256;

  private static final ConcurrentHashMap<Object, Object> VALUES = new ConcurrentHashMap<>();

  private Shared() {}

  /** The copy kept of a value equal to {@code value}, or {@code value} itself. */
  @SuppressWarnings("unchecked")
  static <T> T of(T value) {
    Object known = VALUES.get(value);
    if (known != null) {
      return (T) known;
    }
    if (VALUES.size() >= MAX) {
      return value;
    }
    Object earlier = VALUES.putIfAbsent(value, value);
    return earlier == null ? value : (T) earlier;
  }
}
