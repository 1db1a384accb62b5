package dev.outpost.server.http;

import dev.outpost.common.error.OutpostException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed credentials (registration keys, secure-ids, admin tokens) counted per source address in
 * windows of a minute: an address that fails too often in one is refused with 429 until the window
 * ends, so that guessing costs time. Safe from any thread: every HTTP event loop shares one. The
 * count is this process's own; behind a proxy every client shares the proxy's address.
 */
public final class FailedAttempts {

  /** More addresses than this and the counts start afresh: a flood of sources, not a fleet. */
  static final int MAX_ADDRESSES = 100_000;

  private static final long WINDOW_MILLIS = 60_000;

  private record Window(long startMillis, int failures) {}

  private final Clock clock;
  private final int perMinute;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** Allows {@code perMinute} failures an address each minute; 0 counts nothing. */
  public FailedAttempts(Clock clock, int perMinute) {
    this.clock = clock;
    this.perMinute = perMinute;
  }

  /**
   * Throws 429 when the address has used up its failures for this window.
   *
   * @throws OutpostException 429 with the seconds until the window ends
   */
  public void check(String address) {
    if (perMinute == 0) {
      return;
    }
    Window window = windows.get(address);
    long now = clock.millis();
    if (window != null
        && now - window.startMillis() < WINDOW_MILLIS
        && window.failures() >= perMinute) {
      long left = WINDOW_MILLIS - (now - window.startMillis());
      throw OutpostException.tooManyRequests(
          "too many failed credentials from " + address + "; try again later",
          (int) Math.max(1, (left + 999) / 1000));
    }
  }

  /** Counts a failure of the address. */
  public void failed(String address) {
    if (perMinute == 0) {
      return;
    }
    if (windows.size() >= MAX_ADDRESSES) {
      windows.clear();
    }
    long now = clock.millis();
    windows.compute(
        address,
        (key, window) ->
            window == null || now - window.startMillis() >= WINDOW_MILLIS
                ? new Window(now, 1)
                : new Window(window.startMillis(), window.failures() + 1));
  }
}
