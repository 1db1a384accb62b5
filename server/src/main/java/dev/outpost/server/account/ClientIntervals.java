package dev.outpost.server.account;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How often an account's clients exchange, exchange urgently and ping, in seconds, as the account
 * sets them; an empty one is left as each client has it. Sent to each computer once per change as a
 * {@code set-intervals} message, which the Landscape Client and Outpost's agent both follow.
 *
 * @param exchange the regular exchange interval
 * @param urgentExchange the interval of an urgent exchange (after a result, or a ping saying
 *     messages wait)
 * @param ping the ping interval
 */
public record ClientIntervals(
    Optional<Integer> exchange, Optional<Integer> urgentExchange, Optional<Integer> ping) {

  /** The shortest interval: the Landscape Client fails on shorter ones. */
  public static final int MIN_SECONDS = 10;

  /** The longest interval, a day. */
  public static final int MAX_SECONDS = 86_400;

  /** No interval set. */
  public static final ClientIntervals NONE =
      new ClientIntervals(Optional.empty(), Optional.empty(), Optional.empty());

  /** Whether the account sets any interval. */
  public boolean any() {
    return exchange.isPresent() || urgentExchange.isPresent() || ping.isPresent();
  }

  /** The {@code set-intervals} message: its keys for the intervals set, in seconds. */
  public Map<String, Object> message() {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "set-intervals");
    exchange.ifPresent(s -> message.put("exchange", s.longValue()));
    urgentExchange.ifPresent(s -> message.put("urgent-exchange", s.longValue()));
    ping.ifPresent(s -> message.put("ping", s.longValue()));
    return message;
  }
}
