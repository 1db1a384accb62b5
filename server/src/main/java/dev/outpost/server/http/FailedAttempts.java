package dev.outpost.server.http;

import dev.outpost.common.error.OutpostException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed credentials (passwords, registration keys, secure-ids, admin tokens and sessions) counted
 * in windows of a minute, per source address and per account they were aimed at: an address or an
 * account that fails too often in one is refused with 429 until the window ends, so that guessing
 * costs time, from one address or from many. Safe from any thread: every HTTP event loop shares
 * one. The counts are this process's own; behind a proxy every client shares the proxy's address.
 * Failures are counted in {@code outpost_failed_credentials_total} by kind, refusals in {@code
 * outpost_refused_credentials_total} by what was over its limit.
 */
public final class FailedAttempts {

  /** More addresses (or accounts) than this and the counts start afresh: a flood, not a fleet. */
  static final int MAX_ADDRESSES = 100_000;

  private static final long WINDOW_MILLIS = 60_000;

  /** What kind of credential failed, as the metric names it. */
  public enum Kind {
    PASSWORD,
    TOKEN,
    SESSION,
    REGISTRATION_KEY,
    SECURE_ID;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private record Window(long startMillis, int failures) {}

  private final Clock clock;
  private final int perMinute;
  private final int perAccountPerMinute;
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Window> addresses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Window> accounts = new ConcurrentHashMap<>();

  /** Allows {@code perMinute} failures an address each minute, and no account limit. */
  public FailedAttempts(Clock clock, int perMinute) {
    this(clock, perMinute, 0, new SimpleMeterRegistry());
  }

  /**
   * Allows {@code perMinute} failures an address and {@code perAccountPerMinute} an account each
   * minute (0: no limit), counted in {@code meters}.
   */
  public FailedAttempts(Clock clock, int perMinute, int perAccountPerMinute, MeterRegistry meters) {
    this.clock = clock;
    this.perMinute = perMinute;
    this.perAccountPerMinute = perAccountPerMinute;
    this.meters = meters;
  }

  /**
   * Throws 429 when the address has used up its failures for this window.
   *
   * @throws OutpostException 429 with the seconds until the window ends
   */
  public void check(String address) {
    check(address, Optional.empty());
  }

  /**
   * Throws 429 when the address, or the account the credentials are aimed at, has used up its
   * failures for this window.
   *
   * @param account the account, as a key of its own ({@code "id:3"}, {@code "name:standalone"})
   * @throws OutpostException 429 with the seconds until the window ends
   */
  public void check(String address, Optional<String> account) {
    over(addresses, address, perMinute)
        .ifPresent(
            left -> {
              meters.counter("outpost.refused.credentials", "over", "address").increment();
              throw OutpostException.tooManyRequests(
                  "too many failed credentials from " + address + "; try again later", left);
            });
    account
        .flatMap(key -> over(accounts, key, perAccountPerMinute))
        .ifPresent(
            left -> {
              meters.counter("outpost.refused.credentials", "over", "account").increment();
              throw OutpostException.tooManyRequests(
                  "too many failed credentials for this account; try again later", left);
            });
  }

  /** Counts a failure of the address. */
  public void failed(String address) {
    failed(address, Optional.empty(), Kind.SECURE_ID);
  }

  /** Counts a failure of the address and of the account the credentials were aimed at. */
  public void failed(String address, Optional<String> account, Kind kind) {
    meters.counter("outpost.failed.credentials", "kind", kind.label()).increment();
    count(addresses, address, perMinute);
    account.ifPresent(key -> count(accounts, key, perAccountPerMinute));
  }

  /** The seconds left of the key's window when it has used up its failures. */
  private Optional<Integer> over(ConcurrentHashMap<String, Window> windows, String key, int limit) {
    if (limit == 0) {
      return Optional.empty();
    }
    Window window = windows.get(key);
    long now = clock.millis();
    if (window != null
        && now - window.startMillis() < WINDOW_MILLIS
        && window.failures() >= limit) {
      long left = WINDOW_MILLIS - (now - window.startMillis());
      return Optional.of((int) Math.max(1, (left + 999) / 1000));
    }
    return Optional.empty();
  }

  private void count(ConcurrentHashMap<String, Window> windows, String key, int limit) {
    if (limit == 0) {
      return;
    }
    if (windows.size() >= MAX_ADDRESSES) {
      windows.clear();
    }
    long now = clock.millis();
    windows.compute(
        key,
        (k, window) ->
            window == null || now - window.startMillis() >= WINDOW_MILLIS
                ? new Window(now, 1)
                : new Window(window.startMillis(), window.failures() + 1));
  }
}
